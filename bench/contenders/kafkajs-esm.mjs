// `node --import ./kafkajs-esm.mjs`: registers kafkajs-esm-hooks.mjs (see there).
import { register } from "node:module";
register("./kafkajs-esm-hooks.mjs", import.meta.url);
