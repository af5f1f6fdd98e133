import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Passive refresh: a business server reports the token the platform rejected. */
export class RefreshTokenDto {
  @ApiProperty({
    description:
      'The access_token the platform rejected. Renewed only if it is still the current one.',
    example: 'eyJhbGciOi...',
    maxLength: 4096,
  })
  // class-validator runs the decorators bottom-up: the first problem reported is the lowest one.
  @MaxLength(4096, { message: 'stale_token must be at most 4096 characters' })
  @IsNotEmpty({ message: 'stale_token must not be empty' })
  @IsString({ message: 'stale_token must be a string' })
  @IsDefined({ message: 'stale_token is required' })
  stale_token: string;
}
