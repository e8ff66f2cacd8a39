// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("mainnav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // The tenant switcher closes on a click elsewhere or on Escape.
  const switcher = document.querySelector(".switcher");
  if (switcher) {
    document.addEventListener("click", (event) => {
      if (switcher.open && !switcher.contains(event.target)) switcher.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && switcher.open) {
        switcher.open = false;
        switcher.querySelector("summary").focus();
      }
    });
  }
  // Copy a one-time token.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        button.textContent = button.dataset.done || "OK";
      });
    });
  });
  // New village: start the division code with the chosen township's first 9 digits.
  const parent = document.getElementById("f-parent_id");
  const code = document.getElementById("f-division_code");
  if (parent && code) {
    let prefix = "";
    const fill = () => {
      const option = parent.selectedOptions[0];
      const next = option && option.dataset.code ? option.dataset.code.slice(0, 9) : "";
      if (code.value === "" || code.value === prefix) code.value = next;
      prefix = next;
    };
    parent.addEventListener("change", fill);
    fill();
  }
});

// ---- reports: the period picker shows its dates only for a custom period ----
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-period-picker]").forEach((form) => {
    const select = form.querySelector("[data-period-select]");
    const show = () => form.classList.toggle("custom", select.value === "custom");
    select.addEventListener("change", show);
    show();
  });
});
// ---- end reports ----

// ---- program tabs: on a narrow screen the current tab is scrolled into view, and a fading edge
// says that more tabs follow ----
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tabs]").forEach((bar) => {
    const current = bar.querySelector('[aria-current="page"]');
    if (current && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = current.offsetLeft - bar.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2;
    }
    const edge = () => {
      bar.classList.toggle("more-left", bar.scrollLeft > 2);
      bar.classList.toggle("more-right", bar.scrollLeft + bar.clientWidth < bar.scrollWidth - 2);
    };
    bar.addEventListener("scroll", edge, { passive: true });
    window.addEventListener("resize", edge);
    edge();
  });
  // A document being rendered: its row follows the request's progress without a reload.
  document.querySelectorAll("[data-doc-status]").forEach((row) => {
    const label = row.querySelector("[data-doc-label]");
    const action = row.querySelector("[data-doc-action]");
    let delay = 800;
    const poll = () => {
      fetch(row.dataset.docStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((body) => {
          if (label) label.textContent = body.status_label;
          row.dataset.state = body.status;
          if (body.status === "ready" && body.download && action) {
            const link = document.createElement("a");
            link.href = body.download;
            link.className = "button small";
            link.textContent = "下载 PDF";
            action.replaceChildren(link);
            const kind = row.querySelector(".doc-kind");
            if (kind && body.document && !row.querySelector("[data-doc-meta]")) {
              const meta = document.createElement("span");
              meta.className = "muted";
              meta.dataset.docMeta = "";
              meta.textContent = "第 " + body.document.doc_version + " 版 · " + body.document.pages + " 页";
              kind.after(meta);
            }
          } else if (body.status === "failed") {
            if (label) label.textContent = body.status_label + "：" + body.error;
            const retry = row.querySelector("[data-doc-retry]");
            if (retry) retry.hidden = false;
          } else {
            delay = Math.min(delay * 1.5, 5000);
            window.setTimeout(poll, delay);
          }
        })
        .catch(() => window.setTimeout(poll, 5000));
    };
    window.setTimeout(poll, delay);
  });
});
