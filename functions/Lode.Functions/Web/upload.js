// Uploads: for callers the API lets upload (GET api/uploads answers their terms; 403 hides the panel). Each file gets
// a presigned PUT from POST api/uploads, goes straight to the object store with a progress bar, and is then watched
// until the store's notification has been indexed: waiting → pending → indexed, or failed with its reason.

import { ApiError, json, objectPath } from "./api.js";

const WATCH_EVERY_MS = 1000;
const WATCH_FOR_MS = 15 * 60 * 1000;

const sizeText = (bytes) => (bytes < 1 << 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / (1 << 20)).toFixed(1)} MB`);

export function startUploads({ showError, clearError, onIndexed }) {
  const panel = document.getElementById("upload");
  const form = document.getElementById("upload-form");
  const bucketChoice = document.getElementById("upload-bucket");
  const bucketList = document.getElementById("upload-bucket-list");
  const groupChoices = document.getElementById("upload-groups");
  const files = document.getElementById("upload-files");
  const list = document.getElementById("upload-list");
  const hint = document.getElementById("upload-hint");
  let terms = null;

  async function refresh() {
    try {
      terms = await json("api/uploads");
    } catch (e) {
      terms = null;
      panel.hidden = true;
      // 403: this key may not upload, which is not an error worth a message.
      if (!(e instanceof ApiError && e.status === 403)) showError(e);
      return;
    }
    // The indexed buckets to pick from (none listed: Lode indexes any bucket, so the person types one).
    bucketList.replaceChildren(...terms.buckets.map((b) => new Option(b)));
    if (!bucketChoice.value && terms.buckets.length) bucketChoice.value = terms.buckets[0];
    groupChoices.replaceChildren(...terms.groups.map((g) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "group";
      box.value = g;
      box.checked = true;
      label.append(box, ` ${g}`);
      return label;
    }));
    files.accept = terms.extensions.join(",");
    hint.textContent = `Up to ${sizeText(terms.maxBytes)} per file: ${terms.extensions.join(", ")}.`;
    panel.hidden = false;
  }

  function entry(file) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const progress = document.createElement("progress");
    progress.max = file.size || 1;
    progress.value = 0;
    progress.setAttribute("aria-label", `Upload of ${file.name}`);
    const state = document.createElement("span");
    state.className = "status pending";
    state.textContent = "waiting";
    const why = document.createElement("p");
    why.className = "why";
    why.hidden = true;
    item.append(name, progress, state, why);
    list.append(item);
    return {
      progress,
      set(status, text, reason) {
        state.className = `status ${status}`;
        state.textContent = text;
        why.hidden = !reason;
        why.textContent = reason ?? "";
      },
    };
  }

  // The bytes go to the store, not to Lode: XMLHttpRequest because fetch reports no upload progress.
  function put(grant, file, progress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("PUT", grant.url);
      for (const [name, value] of Object.entries(grant.headers)) request.setRequestHeader(name, value);
      request.upload.addEventListener("progress", (e) => { progress.value = e.loaded; });
      request.addEventListener("load", () => (request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new ApiError(request.status, `The document store refused the file (${request.status}). Ask for a new upload and try again.`))));
      request.addEventListener("error", () => reject(new ApiError(0,
        "Cannot reach the document store. Check your connection, or ask an administrator to allow this page's address in the store's CORS settings.")));
      request.send(file);
    });
  }

  async function watch(bucket, key, view) {
    const deadline = Date.now() + WATCH_FOR_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, WATCH_EVERY_MS));
      let document = null;
      try {
        document = await json(objectPath("api/documents", bucket, key));
      } catch (e) {
        // 404 until the store's notification has been received; anything else ends the watch.
        if (!(e instanceof ApiError && e.status === 404)) { view.set("failed", "unknown", e.message); return; }
      }
      if (!document) continue;
      if (document.status === "indexed") {
        view.set("indexed", "indexed", `${document.chunks} passages from ${document.pages ?? 1} page(s).`);
        onIndexed();
        return;
      }
      if (document.status === "failed") { view.set("failed", "failed", document.error); onIndexed(); return; }
      view.set("pending", "pending");
    }
    view.set("pending", "still pending", "Indexing is taking long; the Documents list shows when it is done.");
  }

  async function upload(file, bucket, prefix, groups, overwrite) {
    const view = entry(file);
    const key = `${prefix}${file.name}`;
    try {
      const grant = await json("api/uploads", {
        method: "POST",
        body: { bucket, key, contentType: file.type || undefined, sizeBytes: file.size, groups, overwrite },
      });
      view.set("pending", "uploading");
      await put(grant, file, view.progress);
      view.progress.value = view.progress.max;
      view.set("pending", "uploaded, waiting for indexing");
      await watch(grant.bucket, grant.key, view);
    } catch (e) {
      view.set("failed", "not uploaded", e.message);
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!terms) return;
    clearError();
    const data = new FormData(form);
    const bucket = (data.get("bucket") ?? "").trim();
    let prefix = (data.get("prefix") ?? "").trim().replace(/^\/+/, "");
    if (prefix && !prefix.endsWith("/")) prefix += "/";
    const groups = data.getAll("group");
    if (groups.length === 0) {
      showError(new Error("Choose at least one group that may read the files."));
      return;
    }
    const overwrite = data.get("overwrite") === "on";
    const chosen = [...files.files];
    files.value = "";
    // One at a time: a phone on a slow line finishes files rather than starting them all.
    for (const file of chosen) await upload(file, bucket, prefix, groups, overwrite);
  });

  return { refresh, clear: () => { terms = null; panel.hidden = true; list.replaceChildren(); } };
}
