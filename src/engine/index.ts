export type {
  ColumnInfo,
  DataFormat,
  Engine,
  LoadProgress,
  QueryOptions,
  RegisterOptions,
  TableInfo,
  WrittenFile,
} from "./types.ts";
export { EngineLost, QueryError, QueryStopped, LoadError, messageOf } from "./errors.ts";
export { toRows, toValue, type Row, type Value } from "./convert.ts";
export { DATA_EXTENSIONS, formatOf, isDataFile, tableNameFor } from "./formats.ts";
export { ident, literal } from "./sql.ts";
export type { BadRows, Converted, Encoding, ImportOptions, LoadReport } from "./options.ts";
export { exactQuery, exactTable, restoreExact, type ExactQuery, type Restore } from "./exact.ts";
export { copyTargets, type CopyTarget } from "./copy.ts";
