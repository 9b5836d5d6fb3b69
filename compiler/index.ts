/**
 * The pure core of gokac: spec texts in, diagnostics, a model and generated
 * files out. No file system, no process, no runtime: `cli/` reads and writes.
 *
 * Phases, one folder each, arrows pointing down only:
 *   diagnostics/  codes, positions, formatting   (used by every phase)
 *   shared/       names and path helpers         (used by every phase)
 *   parse/        YAML with positions
 *   validate/     the JSON Schema of spec files
 *   model/        the normalised graph, and views derived from it
 *   checks/       one rule a file
 *   emit/         TypeScript text, handler merging, topology rendering
 *   incremental/  what watch builds keep between builds (beside analyze/compile, which use it)
 * `analyze` runs parse → validate → model → checks; `compile` adds emit.
 */
export { analyze, AnalyzeCache, specSchema, type AnalyzeInput, type AnalyzeResult, type SpecSource } from "./analyze.js";
export { compile, type CompileInput, type CompileResult, type OutputFile } from "./compile.js";
export {
  CATALOGUE,
  diagnostic,
  hasErrors,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
  type SourceLocation,
} from "./diagnostics/catalogue.js";
export {
  DIAGNOSTIC_FORMATS,
  formatDiagnostics,
  formatText,
  githubAnnotation,
  isDiagnosticFormat,
  type Annotation,
  type DiagnosticFormat,
} from "./diagnostics/format.js";
export { GRAPH_FORMATS, renderTopology, type GraphFormat } from "./emit/render-topology.js";
export { loopTopic, tableTopic, type GroupModel, type SpecModel } from "./model/model.js";
export { groupPartitions } from "./model/partitions.js";
export { buildTopology, type Topology } from "./model/topology.js";
