import { Injectable, Module } from '@nestjs/common';

/** The app's configuration, read from the environment (a stand-in for @nestjs/config). */
@Injectable()
export class AppConfig {
  getOrThrow(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  }
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
export class AppConfigModule {}
