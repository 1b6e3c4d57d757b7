// selecta serve: the little the pages do in the browser. Nothing is loaded from the network
// except Spotify's embedded player, and only when ▶ is pressed.
"use strict";

// ▶: Spotify's embedded player for the track, under its row.
document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button.play");
  if (!b) return;
  const id = b.dataset.id;
  if (!/^[A-Za-z0-9]{22}$/.test(id)) return;
  const row = b.closest("tr");
  const open = row.nextElementSibling && row.nextElementSibling.classList.contains("player-row");
  document.querySelectorAll("tr.player-row").forEach((r) => r.remove());
  if (open) return;
  const tr = document.createElement("tr");
  tr.className = "player-row";
  const td = document.createElement("td");
  td.colSpan = row.children.length;
  td.className = "player";
  const f = document.createElement("iframe");
  f.src = "https://open.spotify.com/embed/track/" + id;
  f.allow = "encrypted-media";
  f.loading = "lazy";
  td.appendChild(f);
  tr.appendChild(td);
  row.after(tr);
});

// Typing a link selects the "Spotify link" choice.
document.addEventListener("input", (ev) => {
  if (!ev.target.classList.contains("paste")) return;
  const radio = ev.target.closest("li").querySelector('input[type="radio"]');
  if (radio) radio.checked = true;
});

// The rebuild page streams the build's lines while it runs.
function followRebuild() {
  const log = document.getElementById("log");
  const outcome = document.getElementById("outcome");
  if (!log || outcome.dataset.running !== "true") return;
  let from = Number(log.dataset.lines || 0);
  const tick = async () => {
    let s;
    try {
      const r = await fetch("/rebuild/status?from=" + from, { headers: { accept: "application/json" } });
      s = await r.json();
    } catch (e) {
      setTimeout(tick, 1000);
      return;
    }
    for (const line of s.lines) log.append(line + "\n");
    from = s.next;
    log.scrollTop = log.scrollHeight;
    if (s.running) {
      setTimeout(tick, 250);
      return;
    }
    outcome.dataset.running = "false";
    outcome.classList.remove("running");
    const failure = document.getElementById("failure");
    if (s.exit === 0) {
      outcome.classList.add("ok");
      outcome.textContent = "Rebuilt: the new warehouse is served.";
    } else {
      outcome.classList.add("failed");
      outcome.textContent = "Rebuild failed: the previous warehouse is still served.";
      failure.textContent = s.failure.join("\n");
      failure.hidden = false;
    }
    document.getElementById("rebuild").disabled = false;
  };
  tick();
}
followRebuild();
