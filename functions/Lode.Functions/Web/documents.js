// Documents: their indexing status, filtered by bucket/prefix/status, paged; failures show their error, and admins
// (the API marks a failed document canRetry for them only) can queue a failed one again.

import { json, objectPath } from "./api.js";
import { startUploads } from "./upload.js";

export function startDocuments({ showError, clearError }) {
  const form = document.getElementById("document-filters");
  const body = document.querySelector("#document-table tbody");
  const status = document.getElementById("documents-status");
  const more = document.getElementById("more-documents");
  let next = null;

  function row(d) {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = `${d.bucket}/${d.key}`;
    const state = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = `status ${d.status}`;
    badge.textContent = d.status;
    state.append(badge);
    if (d.error) {
      const why = document.createElement("p");
      why.className = "why";
      why.textContent = d.error;
      state.append(why);
    }
    const pages = document.createElement("td");
    pages.textContent = d.pages ?? "";
    const updated = document.createElement("td");
    updated.textContent = new Date(d.updatedAt).toLocaleString();
    const actions = document.createElement("td");
    if (d.canRetry) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "Retry";
      retry.setAttribute("aria-label", `Retry ${d.bucket}/${d.key}`);
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        try {
          await json(`${objectPath("api/documents", d.bucket, d.key)}/retry`, { method: "POST" });
          badge.className = "status pending";
          badge.textContent = "pending";
          retry.remove();
          status.textContent = `${d.bucket}/${d.key} is queued again.`;
        } catch (e) {
          retry.disabled = false;
          showError(e);
        }
      });
      actions.append(retry);
    }
    tr.append(name, state, pages, updated, actions);
    return tr;
  }

  async function fetchPage(append) {
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) query.set(k, v);
    if (append && next) query.set("cursor", next);
    clearError();
    status.textContent = "Loading…";
    try {
      const page = await json(`api/documents?${query}`);
      if (!append) body.replaceChildren();
      body.append(...page.documents.map(row));
      next = page.next;
      more.hidden = !next;
      const shown = body.children.length;
      status.textContent = shown === 0 ? "No documents match." : `${shown} document${shown === 1 ? "" : "s"} shown.`;
    } catch (e) {
      status.textContent = "";
      showError(e);
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); fetchPage(false); });
  more.addEventListener("click", () => fetchPage(true));
  const uploads = startUploads({ showError, clearError, onIndexed: () => fetchPage(false) });
  return {
    refresh: () => { uploads.refresh(); return fetchPage(false); },
    // Sign-out: nothing of the previous key's documents stays on the page.
    clear: () => { body.replaceChildren(); status.textContent = ""; more.hidden = true; uploads.clear(); },
  };
}
