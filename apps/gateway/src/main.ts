import 'reflect-metadata';
import { runMain } from '@clicks/server';
import { createGatewayApp } from './gateway.app';

runMain('gateway', createGatewayApp, (c) => c.ports.gateway);
