import 'reflect-metadata';
import { runMain } from '@clicks/server';
import { createAggregatorApp } from './aggregator.app';

runMain('aggregator', createAggregatorApp, (c) => c.ports.aggregator);
