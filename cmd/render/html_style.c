/* The HTML report's style: readable on screen and on paper, no web fonts. */
#include "cmd/render/html.h"

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;"
	"color:#1a1a1a;background:#fff;max-width:1000px;margin:0 auto;padding:0 16px 32px}\n"
	"h1{font-size:20px;margin:16px 0 4px}h2{font-size:17px;margin:24px 0 8px;"
	"border-bottom:1px solid #ccc;padding-bottom:2px}h3{font-size:15px;margin:16px 0 4px}\n"
	"p,.field{overflow-wrap:anywhere}\n"
	".field{margin:2px 0 2px 16px}.label{color:#555}\n"
	".finding{margin:12px 0;padding:4px 12px 8px;border-left:4px solid #7f7f7f;"
	"background:#fafafa}\n"
	".sev-critical{border-left-color:#d62728}.sev-warning{border-left-color:#e6a000}\n"
	".sev{font-weight:600;font-size:12px;letter-spacing:.04em}\n"
	".sev-critical .sev{color:#b2182b}.sev-warning .sev{color:#9a6700}"
	".sev-info .sev{color:#555}\n"
	"code,pre{font:12px/1.4 'DejaVu Sans Mono',ui-monospace,monospace}\n"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;padding:6px;"
	"margin:4px 0}\n"
	"table{border-collapse:collapse;margin:6px 0}\n"
	"table.evidence{width:100%;table-layout:fixed}"
	"table.evidence caption{text-align:left;color:#555}\n"
	"table.evidence td{vertical-align:top;padding:1px 6px;border-top:1px solid #eee}\n"
	"table.evidence td.where{width:240px;color:#555;overflow-wrap:anywhere}\n"
	"table.evidence code{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	".scroll{overflow-x:auto}\n"
	"table.data th,table.data td{border:1px solid #ddd;padding:2px 8px;text-align:left;"
	"vertical-align:top;overflow-wrap:anywhere;max-width:480px}\n"
	"table.data th{background:#f0f0f0}\n"
	"details{margin:4px 0}summary{cursor:pointer;color:#333;overflow-wrap:anywhere}\n"
	".dim{color:#666;font-weight:normal}\n"
	"figure.chart{margin:10px 0 14px}figcaption{margin-bottom:2px}\n"
	"svg.plot{width:100%;height:auto;display:block}\n"
	".key{margin-left:10px;white-space:nowrap}.swatch{display:inline-block;width:10px;"
	"height:10px;margin-right:4px;vertical-align:baseline}\n"
	"svg .series{fill:none;stroke-width:1.4;stroke-linecap:round;stroke-linejoin:round}\n"
	"svg .grid{stroke:#e6e6e6}svg .axis,svg .tick{stroke:#888}\n"
	"svg .tick-label,svg .lane-label{font-size:11px;fill:#444}\n"
	"svg .axis-label{font-size:11px;fill:#222;font-weight:600}\n"
	"svg .mark{stroke-width:1;stroke-opacity:.75}svg .window{fill-opacity:.13}\n"
	"svg .bar{fill-opacity:.85}\n"
	"footer{margin-top:32px;color:#888;font-size:12px}\n"
	"@media print{details{display:block}details>summary{display:none}"
	"details>*{display:block}}\n";

const char *html_style(void)
{
	return style;
}
