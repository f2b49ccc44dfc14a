// CSV export of any table on the page: a button.csv-export inside a .table-block saves that block's table.
// The header row holds the field names (data-column) where the table has them, else the titles; a cell's
// data-value (the raw number) wins over its text (the rounded, scaled display). Cells marked data-csv-skip
// (a row's links) are no data and stay out.

function cellText(cell) {
  const raw = cell.dataset.value;
  return raw !== undefined ? raw : cell.textContent.replace(/[▼▲]/g, '').replace(/\s+/g, ' ').trim();
}

function quote(text) {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tableToCsv(table) {
  const lines = [];
  const header = [...table.querySelectorAll('thead th:not([data-csv-skip])')]
    .map(th => th.dataset.column || th.textContent.replace(/[▼▲]/g, '').replace(/\s+/g, ' ').trim());
  if (header.length > 0) lines.push(header.map(quote).join(','));
  for (const tr of table.querySelectorAll('tbody tr')) {
    if (tr.querySelector('td.empty')) continue;
    lines.push([...tr.querySelectorAll('td:not([data-csv-skip])')].map(td => quote(cellText(td))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

document.addEventListener('click', event => {
  const button = event.target.closest?.('button.csv-export');
  if (!button) return;
  const table = button.closest('.table-block')?.querySelector('table');
  if (!table) return;
  const blob = new Blob([tableToCsv(table)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${button.dataset.csv || 'table'}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
