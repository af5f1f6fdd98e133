import { ApiProperty } from '@nestjs/swagger';
import type { TicketInfo } from 'nestjs-qingtui';
import { cacheSeconds } from '../common/dto/token-response.dto.js';

/** A JS-SDK ticket as business servers receive it. */
export class TicketResponseDto {
  @ApiProperty({ description: 'The ticket', example: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3V...' })
  ticket: string;

  @ApiProperty({
    description:
      'Whole seconds the ticket stays valid from now: its real remaining life (the platforms ' +
      "answer 7200 to every fetch inside a ticket's life; this is not that)",
    example: 7187,
  })
  expires_in: number;

  static from(info: TicketInfo, now = Date.now()): TicketResponseDto {
    const dto = new TicketResponseDto();
    dto.ticket = info.ticket;
    dto.expires_in = cacheSeconds(info.useUntil, now);
    return dto;
  }
}

/** What a page passes to `wx.config` (WeCom: `appId` is the corpId). */
export class JsapiSignatureResponseDto {
  @ApiProperty({ description: 'AppID (WeCom: corpId)', example: 'wx1234567890abcdef' })
  appId: string;

  @ApiProperty({
    description: 'Unix time in seconds (Qingtui: the unit configured)',
    example: 1414587457,
  })
  timestamp: number;

  @ApiProperty({ example: 'Wm3WZYTPz0wzccnW' })
  nonceStr: string;

  @ApiProperty({ example: '0f9de62fce790f9a083d5c99e95740ceb90c27ed' })
  signature: string;
}

/** What a WeCom page passes to `wx.agentConfig`. */
export class AgentConfigSignatureResponseDto {
  @ApiProperty({ example: 'ww1234567890abcdef' })
  corpid: string;

  @ApiProperty({ example: '1000002' })
  agentid: string;

  @ApiProperty({ example: 1414587457 })
  timestamp: number;

  @ApiProperty({ example: 'Wm3WZYTPz0wzccnW' })
  nonceStr: string;

  @ApiProperty({ example: '0f9de62fce790f9a083d5c99e95740ceb90c27ed' })
  signature: string;
}
