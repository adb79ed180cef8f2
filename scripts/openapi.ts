/**
 * `npm run openapi`: writes docs/openapi.json from the zod schemas and the route table
 * (worker/openapi/document.ts). Committed so the API can be read without running anything;
 * scripts/openapi.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../worker/openapi/document';

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const json = openApiJson();
writeFileSync(target, json);
console.log(
  `wrote docs/openapi.json (${Object.keys((JSON.parse(json) as { paths: object }).paths).length} paths, ${json.length} bytes)`,
);
