import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { ControlBusServer } from '@clicks/stream';

/**
 * Subscribes the app to control messages (hot-ad changes) over the Redis pub/sub transport. Not awaited: with
 * Redis down at start the app must still come up; what listens to the bus also polls, so nothing depends on it.
 */
export function connectControlBus(app: NestFastifyApplication, config: AppConfig): void {
  app.connectMicroservice({ strategy: new ControlBusServer(config.redis) }, { inheritAppConfig: true });
  app.startAllMicroservices().catch((e: unknown) => {
    new Logger('ControlBus').warn(`control bus not connected, relying on polling: ${String(e)}`);
  });
}
