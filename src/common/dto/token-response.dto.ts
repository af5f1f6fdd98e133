import { ApiProperty } from '@nestjs/swagger';
import type { TokenInfo } from 'nestjs-qingtui';

/** A token as business servers receive it. */
export class TokenResponseDto {
  @ApiProperty({
    description: 'The access_token to put in platform calls',
    example: 'eyJhbGciOi...',
  })
  access_token: string;

  @ApiProperty({
    description:
      "Whole seconds a caller may cache the token from now: until the server's next planned " +
      'renewal (after which the platform may kill it), never beyond its expiry, never 0 (1 near a ' +
      'renewal: ask again then to get the next token)',
    example: 5747,
  })
  expires_in: number;

  @ApiProperty({
    description:
      'When the platform stops accepting the token (ISO 8601); cache for expires_in, not this',
    example: '2025-01-01T10:00:00.000Z',
  })
  expires_at: string;

  static from(info: TokenInfo, now = Date.now()): TokenResponseDto {
    const dto = new TokenResponseDto();
    dto.access_token = info.accessToken;
    dto.expires_in = cacheSeconds(info.useUntil, now);
    dto.expires_at = new Date(info.expiresAt).toISOString();
    return dto;
  }
}

/** Whole seconds to cache a credential usable until `useUntil`: at least 1 (0 reads as "never expires" to some caches). */
export function cacheSeconds(useUntil: number, now = Date.now()): number {
  return Math.max(1, Math.floor((useUntil - now) / 1000));
}
