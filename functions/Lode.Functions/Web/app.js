// The page's entry point: sign-in (the key lives in sessionStorage only), the two sections, and the error line.

import { session, json, ApiError } from "./api.js";
import { startChat } from "./chat.js";
import { startDocuments } from "./documents.js";

const $ = (id) => document.getElementById(id);
const errorLine = $("error");

function showError(e) {
  errorLine.textContent = e instanceof ApiError || e instanceof Error ? e.message : String(e);
  errorLine.hidden = false;
  // A refused key ends the session: back to sign-in rather than failing every next request the same way.
  if (e instanceof ApiError && e.status === 401) signOut(false);
}

function clearError() {
  errorLine.hidden = true;
  errorLine.textContent = "";
}

let documents = null;
let chat = null;

function show(section) {
  for (const name of ["chat", "documents"]) {
    $(name).hidden = name !== section;
    $(`show-${name}`).setAttribute("aria-pressed", String(name === section));
  }
  if (section === "documents") documents.refresh();
}

async function enter() {
  $("sign-in").hidden = true;
  $("nav").hidden = false;
  documents ??= startDocuments({ showError, clearError });
  // The chat belongs to the key: its conversations are opened with it, and closed at sign-out.
  chat = await startChat({ showError, clearError });
  show("chat");
  $("question").focus();
}

function signOut(clear = true) {
  session.signOut();
  if (clear) clearError();
  chat?.close();
  chat = null;
  documents?.clear();
  for (const name of ["chat", "documents"]) $(name).hidden = true;
  $("nav").hidden = true;
  $("sign-in").hidden = false;
  $("api-key").value = "";
  $("api-key").focus();
}

$("sign-in-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  clearError();
  session.signIn($("api-key").value.trim());
  try {
    // The smallest authenticated call: proves the key before the page shows anything.
    await json("api/documents?limit=1");
    await enter();
  } catch (err) {
    session.signOut();
    showError(err);
    $("api-key").focus();
  }
});
$("show-chat").addEventListener("click", () => show("chat"));
$("show-documents").addEventListener("click", () => show("documents"));
$("sign-out").addEventListener("click", () => signOut());

if (session.key) enter().catch(showError); else $("api-key").focus();
