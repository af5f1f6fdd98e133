import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Body of a 4xx answer. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({ example: 'stale_token must not be empty' })
  message: string;

  @ApiPropertyOptional({ description: 'The invalid field (400 only)', example: 'stale_token' })
  field?: string;
}

/** Body of a 502/503 answer: the platform refused the call or could not be reached. */
export class PlatformErrorResponseDto {
  @ApiProperty({ example: 502 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Gateway' })
  error: string;

  @ApiProperty({ example: 'The Qingtui platform refused the call (request)' })
  message: string;

  @ApiPropertyOptional({
    description: 'Platform errcode (absent when unreachable)',
    example: 43004,
  })
  errcode?: number;

  @ApiProperty({
    description: 'Platform errmsg, or what went wrong on the way',
    example: 'receiver must follow the app',
  })
  errmsg: string;
}
