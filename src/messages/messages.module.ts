import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller.js';
import { QingtuiMessageSender } from './qingtui-message.sender.js';
import { WechatMessageSender } from './wechat-message.sender.js';
import { WecomMessageSender } from './wecom-message.sender.js';

/** `POST /apps/:app/messages`: the three platforms' senders, exactly once under a key. */
@Module({
  controllers: [MessagesController],
  providers: [QingtuiMessageSender, WecomMessageSender, WechatMessageSender],
})
export class MessagesModule {}
