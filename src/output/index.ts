export { formatNumber, formatValue, plural, typeLabel } from "./format.ts";
export {
  isTableLike,
  previewTable,
  resultSummary,
  type TableLike,
  type TablePreview,
} from "./values.ts";
export { isNode, toJson, JSON_ROWS, type JsonOptions } from "./json.ts";
export { sanitizeHtml } from "./sanitize.ts";
export { markdownHtml } from "./markdown.ts";
export {
  renderReport,
  reportBody,
  reportPage,
  REPORT_ROWS,
  type ReportCell,
  type ReportInput,
} from "./report.ts";
export {
  downloadSummary,
  isDownload,
  tableFormatOf,
  TABLE_FORMATS,
  type Download,
  type TableFormat,
} from "./download.ts";
