#!/usr/bin/env node
import 'reflect-metadata';
import { main } from './program.js';

await main();
