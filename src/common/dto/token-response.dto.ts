import { ApiProperty } from '@nestjs/swagger';
import type { TokenInfo } from 'nestjs-qingtui';

/** A token as business servers receive it. */
export class TokenResponseDto {
  @ApiProperty({
    description: 'The access_token to put in platform calls',
    example: 'eyJhbGciOi...',
  })
  access_token: string;

  @ApiProperty({ description: 'Whole seconds the token stays valid from now', example: 7187 })
  expires_in: number;

  @ApiProperty({
    description: 'When the token expires (ISO 8601)',
    example: '2025-01-01T10:00:00.000Z',
  })
  expires_at: string;

  static from(info: TokenInfo, now = Date.now()): TokenResponseDto {
    const dto = new TokenResponseDto();
    dto.access_token = info.accessToken;
    dto.expires_in = Math.max(0, Math.floor((info.expiresAt - now) / 1000));
    dto.expires_at = new Date(info.expiresAt).toISOString();
    return dto;
  }
}
