"""Server-side charts: plain data in, SVG text out. No database, no Flask (they may run in worker
processes, and a page shows them without JavaScript). Every text a chart draws is escaped here;
labels come in already translated."""
