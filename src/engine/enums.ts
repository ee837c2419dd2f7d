import { DataType, type Table } from "apache-arrow";
import { sqlIdentifiers } from "./sqllex.ts";

/**
 * ENUM columns come back from polled queries as dictionary indices without their dictionary,
 * so their values read as null (DuckDB-WASM issue 1548).
 */
export function hasDictionary(table: Table): boolean {
  return table.schema.fields.some((f) => DataType.isDictionary(f.type));
}

/** Words that make a statement change something; any of them and a query is not only a read. */
const WRITES = new Set(
  "INSERT UPDATE DELETE MERGE CREATE DROP ALTER COPY ATTACH DETACH SET RESET CALL LOAD INSTALL EXPORT IMPORT CHECKPOINT VACUUM BEGIN COMMIT ROLLBACK ABORT PREPARE EXECUTE TRUNCATE USE PRAGMA".split(
    " ",
  ),
);

/** Whether SQL only reads (a quoted name that spells a write keyword counts as one: safe side). */
export function readsOnly(sql: string): boolean {
  return !sqlIdentifiers(sql).some((word) => WRITES.has(word.toUpperCase()));
}
