"""The stepping page's fixed parts: the HTML skeleton, its CSS (light and dark themes, print) and its small
script (show frame N: toggle classes, set gradient labels, Next/Prev, arrow keys, Home/End).

Everything is inline: the page makes no network request and opens from disk.
"""
from __future__ import annotations

__all__ = ["PAGE", "PAGE_CSS", "SVG_CSS", "PAGE_JS"]

# The drawing's style, also embedded in a standalone SVG: colours come from the page's variables, with
# the light theme as the fallback.
SVG_CSS = """
.gradcli-graph{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.gradcli-graph text{fill:var(--fg,#1b1b1b)}.gradcli-graph .node text{text-anchor:middle}
.gradcli-graph .node rect{fill:var(--node,#f3f5f9);stroke:var(--stroke,#6b7280);stroke-width:1.2}
.gradcli-graph .node.leaf rect{fill:var(--leaf,#edf7ee)}
.gradcli-graph .node .value{fill:var(--muted,#4b5563)}
.gradcli-graph .node .grad{fill:var(--accent,#b4410c);font-weight:600}
.gradcli-graph .node.done rect{stroke:var(--done,#9ca3af);stroke-dasharray:4 3}
.gradcli-graph .node.active rect{stroke:var(--accent,#b4410c);stroke-width:3;fill:var(--active,#fff1e6)}
.gradcli-graph .node.got rect{stroke-width:2}
.gradcli-graph .edge path{fill:none;stroke:var(--stroke,#6b7280);stroke-width:1.2}
.gradcli-graph .arrowhead{fill:var(--stroke,#6b7280)}
.gradcli-graph .edge .elabel{visibility:hidden;fill:var(--accent,#b4410c)}
.gradcli-graph .edge.sent .elabel{visibility:visible;fill:var(--muted,#4b5563)}
.gradcli-graph .edge.sent path{stroke:var(--done,#9ca3af)}
.gradcli-graph .edge.flow path{stroke:var(--accent,#b4410c);stroke-width:3}
.gradcli-graph .edge.flow .elabel{fill:var(--accent,#b4410c);font-weight:700}
@media (prefers-color-scheme:dark){.gradcli-graph text{fill:var(--fg,#e5e7eb)}
.gradcli-graph .node rect{fill:var(--node,#1f2430)}.gradcli-graph .node.leaf rect{fill:var(--leaf,#1d2a22)}}
"""

PAGE_CSS = """
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1b1b;--muted:#4b5563;--node:#f3f5f9;--leaf:#edf7ee;
--stroke:#6b7280;--accent:#b4410c;--active:#fff1e6;--done:#9ca3af;--focus:#1d4ed8;--panel:#f8fafc}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e5e7eb;--muted:#a3aab8;--node:#1f2430;
--leaf:#1d2a22;--stroke:#8b93a3;--accent:#ff9f5a;--active:#3a2616;--done:#5b6270;--focus:#8ab4ff;--panel:#181c22}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
header{padding:12px 20px;border-bottom:1px solid var(--done)}
header h1{font-size:18px;margin:0}
header p{margin:4px 0 0;color:var(--muted)}
code,data{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
data.num{font-weight:600}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(300px,2fr);gap:0;min-height:calc(100vh - 70px)}
@media (max-width:820px){main{grid-template-columns:1fr}}
figure.graph{margin:0;padding:12px;overflow:auto;max-height:calc(100vh - 70px)}
.panel{padding:12px 20px;background:var(--panel);border-left:1px solid var(--done);overflow:auto;
max-height:calc(100vh - 70px)}
.controls{display:flex;gap:8px;align-items:center;position:sticky;top:0;background:var(--panel);padding:4px 0 8px}
.controls button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid var(--stroke);
background:var(--bg);color:var(--fg);cursor:pointer}
.controls button:disabled{opacity:.45;cursor:default}
button:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.controls .pos{color:var(--muted)}
.frame h2{font-size:16px;margin:8px 0}
.frame .stepno{color:var(--muted);font-weight:400;margin-right:6px}
.frame .op{color:var(--muted);font-size:13px}
.frame ul{padding-left:20px}
.broadcast,.accumulate{color:var(--accent)}
.keys{color:var(--muted);font-size:13px}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--node:#fff;--leaf:#fff;--stroke:#444;--accent:#000;
--active:#eee;--done:#777;--panel:#fff}
main{display:block}figure.graph,.panel{max-height:none;overflow:visible;border:0}
.controls,.keys{display:none}.frame[hidden]{display:block}
.frame{break-inside:avoid;border-top:1px solid #999}
.gradcli-graph .edge .elabel{visibility:visible}.gradcli-graph{max-width:100%;height:auto}}
"""

PAGE_JS = """
(function(){
'use strict';
var data=JSON.parse(document.getElementById('gradcli-data').textContent);
var frames=data.frames,last=frames.length-1,cur=0;
var svg=document.querySelector('svg.gradcli-graph');
var prev=document.getElementById('prev'),next=document.getElementById('next');
var pos=document.getElementById('pos');
var sections=document.querySelectorAll('section.frame');
function each(sel,fn){Array.prototype.forEach.call(svg.querySelectorAll(sel),fn);}
function byId(id){return document.getElementById(id);}
function show(k){
  k=Math.max(0,Math.min(last,k));cur=k;
  each('.node',function(n){n.classList.remove('active','done','got');});
  each('.edge',function(e){e.classList.remove('flow','sent');});
  each('text.grad',function(t){t.textContent='';});
  for(var i=0;i<=k;i++){
    var f=frames[i];
    Object.keys(f.labels).forEach(function(id){byId(id+'-grad').textContent=f.labels[id];
      byId(id).classList.add('got');});
    f.edges.forEach(function(id){var e=byId(id);e.classList.add('sent');if(i===k){e.classList.add('flow');}});
    if(f.active){byId(f.active).classList.add(i===k?'active':'done');}
  }
  Array.prototype.forEach.call(sections,function(s){s.hidden=(+s.getAttribute('data-frame')!==k);});
  pos.textContent='Step '+k+' of '+last;
  prev.disabled=(k===0);next.disabled=(k===last);
  document.body.setAttribute('data-frame',String(k));
  var a=frames[k].active&&byId(frames[k].active);
  if(a&&a.scrollIntoView){a.scrollIntoView({block:'nearest',inline:'nearest'});}
}
prev.addEventListener('click',function(){show(cur-1);});
next.addEventListener('click',function(){show(cur+1);});
document.addEventListener('keydown',function(ev){
  if(ev.altKey||ev.ctrlKey||ev.metaKey){return;}
  var to={ArrowRight:cur+1,ArrowLeft:cur-1,Home:0,End:last}[ev.key];
  if(to===undefined){return;}
  ev.preventDefault();show(to);
});
each('.node[data-step]',function(n){n.addEventListener('click',function(){
  show(+n.getAttribute('data-step')+1);});});
show(0);
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gradcli">
<title>{title}</title>
<style>{svg_css}{css}</style>
</head>
<body data-frame="0">
<header>
<h1>Backward, step by step: <code>{expr}</code></h1>
<p>Showing {what}: each node runs when the engine runs it; its incoming gradient times each local derivative
is what it sends down the edge. Boxes show torch's node names and forward values; the orange line under a
box is the gradient it has received so far.</p>
</header>
<main>
<figure class="graph">
{svg}
</figure>
<section class="panel" aria-label="Backward steps">
<nav class="controls" aria-label="Step through backward">
<button type="button" id="prev" aria-label="Previous step" disabled>&#9664; Prev</button>
<button type="button" id="next" aria-label="Next step">Next &#9654;</button>
<span class="pos" id="pos" aria-live="polite">Step 0 of {last}</span>
</nav>
<p class="keys">Keys: &#8594; next, &#8592; previous, Home first, End last. Click a node to jump to its step.</p>
<div aria-live="polite">
{frames}
</div>
</section>
</main>
<script type="application/json" id="gradcli-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""
