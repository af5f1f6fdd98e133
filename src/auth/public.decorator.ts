import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'qingtui-server:public';

/** Marks a route (or a controller) as reachable without a client key. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
