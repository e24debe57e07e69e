#!/usr/bin/env node
// The CLI runs the compiled JavaScript; `npm ci` builds it through the root `prepare` script.
import { main } from '../dist/cli/tollgate.js';

process.exitCode = await main(process.argv.slice(2));
