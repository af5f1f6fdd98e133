import { ApiProperty } from '@nestjs/swagger';

/** The anonymous health answer: a status, nothing about apps or errors. */
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'error'], example: 'ok' })
  status: 'ok' | 'degraded' | 'error' | 'shutting_down';
}
