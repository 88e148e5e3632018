// Markdown formatting for benchmark reports.

function cell(value) {
  return String(value ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * A GitHub-flavoured Markdown table. `columns` are {title, align?: "left"|"right"|"center"};
 * `rows` are arrays of cell values in column order. Columns are padded so the text lines up.
 */
export function table(columns, rows) {
  const titles = columns.map((column) => cell(column.title));
  const body = rows.map((row) => columns.map((_, index) => cell(row[index])));
  const widths = titles.map((title, index) => Math.max(3, title.length, ...body.map((row) => row[index].length)));
  const pad = (text, index) => {
    const align = columns[index].align ?? "left";
    return align === "right" ? text.padStart(widths[index]) : text.padEnd(widths[index]);
  };
  const rule = columns.map((column, index) => {
    const dashes = "-".repeat(widths[index]);
    if (column.align === "right") return `${dashes.slice(1)}:`;
    if (column.align === "center") return `:${dashes.slice(2)}:`;
    return dashes;
  });
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(titles.map(pad)), line(rule), ...body.map((row) => line(row.map(pad)))].join("\n");
}

/** A number with a fixed count of decimals, e.g. 1234.5 → "1234.5". */
export function fixed(value, decimals = 1) {
  return Number(value).toFixed(decimals);
}

/** A ratio as "1.03×". */
export function times(ratio, decimals = 2) {
  return `${Number(ratio).toFixed(decimals)}×`;
}
