import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { InjectQingtuiHttp } from 'nestjs-qingtui';
import { WechatCallError } from '../clients/wechat-call.error.js';

/** Name of the WeChat app in the bench's module options. */
export const OURS_APP = 'mp';

/**
 * A business service as an app writes it: `getcallbackip` through the module's HTTP instance,
 * which adds the app's token and heals token errors.
 */
@Injectable()
export class CallbackIpService {
  constructor(@InjectQingtuiHttp() private readonly http: HttpService) {}

  async callbackIp(): Promise<void> {
    const answer = await this.http.axiosRef.get<unknown>('/cgi-bin/getcallbackip', {
      qingtui: { app: OURS_APP },
    });
    WechatCallError.expectIpList(answer.data);
  }
}
