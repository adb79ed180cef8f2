/**
 * One measured run in its own process: `{ target, scenario }` as JSON on stdin, the
 * `RunResult` as JSON on stdout, progress on stderr. The bench's main process also hosts
 * the embedded database, whose queries run synchronously (WebAssembly) and would stall a
 * load generator sharing its event loop — and only while our app, not the bare `ws`
 * broadcaster, is being measured.
 */
import { runScenario, type Scenario, type Target } from './ws-load';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { target, scenario } = JSON.parse(input) as { target: Target; scenario: Scenario };
const result = await runScenario(target, scenario, (l) => console.error(l));
process.stdout.write(JSON.stringify(result));
