import { Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { TokenService } from 'nestjs-qingtui';

/** Resolves the `:app` route parameter: 404 unless the server manages an app of that name. */
@Injectable()
export class KnownAppPipe implements PipeTransform<string, string> {
  constructor(private readonly tokens: TokenService) {}

  transform(app: string): string {
    if (!this.tokens.hasApp(app)) throw new NotFoundException(`Unknown app "${app.slice(0, 64)}"`);
    return app;
  }
}
