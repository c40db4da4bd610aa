#!/usr/bin/env node
// Launcher for `npx a64vm`: registers tsx's ESM loader, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = (await main(process.argv.slice(2))) & 0xff;
