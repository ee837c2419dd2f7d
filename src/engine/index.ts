export type {
  ColumnInfo,
  DataFormat,
  Engine,
  LoadProgress,
  QueryOptions,
  RegisterOptions,
  TableInfo,
} from "./types.ts";
export { EngineLost, QueryError, QueryStopped, LoadError, messageOf } from "./errors.ts";
export { toRows, toValue, type Row, type Value } from "./convert.ts";
export { DATA_EXTENSIONS, formatOf, isDataFile, tableNameFor } from "./formats.ts";
export { ident, literal } from "./sql.ts";
