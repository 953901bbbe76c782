import 'reflect-metadata';
import { runMain } from '@clicks/server';
import { createLogAgentApp } from './log-agent.app';

runMain('log-agent', createLogAgentApp, (c) => c.logAgent.port);
