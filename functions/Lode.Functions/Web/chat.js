// Chat: several conversations kept in this browser (see conversations.js: per API key, encrypted), answers streamed
// from POST api/chat, citations shown as numbered chips that open their source: the passage here, the document itself
// in a new tab.

import { call, events, json, objectPath, session } from "./api.js";
import { openConversations } from "./conversations.js";

// Starts the chat for the signed-in key; close() forgets its conversations (sign-out) and removes its listeners.
export async function startChat({ showError, clearError }) {
  const list = document.getElementById("conversations");
  const messages = document.getElementById("messages");
  const source = document.getElementById("source");
  const form = document.getElementById("ask-form");
  const question = document.getElementById("question");
  const ask = document.getElementById("ask");
  const listening = new AbortController();
  const on = (element, type, handler) => element.addEventListener(type, handler, { signal: listening.signal });

  const store = await openConversations(session.key);
  let conversations = await store.load();
  const save = () => store.save(conversations).catch(showError);
  let current = conversations[0] ?? newConversation();

  function newConversation() {
    const conversation = { id: crypto.randomUUID(), title: "New conversation", messages: [] };
    conversations.unshift(conversation);
    save();
    return conversation;
  }

  function renderList() {
    list.replaceChildren(...conversations.map((c) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = c.title;
      if (c === current) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => { current = c; render(); question.focus(); });
      item.append(button);
      return item;
    }));
  }

  function chip(citation) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    const pages = citation.pageEnd > citation.page ? `pp. ${citation.page}–${citation.pageEnd}` : `p. ${citation.page}`;
    button.textContent = `[${citation.number}] ${citation.bucket}/${citation.key} ${pages}`;
    // A chip opens its source: the passage here, and the document itself in a new tab (at the cited page for PDFs).
    button.addEventListener("click", () => openDocument(citation, openSource(citation, pages)));
    return button;
  }

  function openSource(citation, pages) {
    const title = document.createElement("h3");
    title.textContent = `[${citation.number}] ${citation.bucket}/${citation.key}, ${pages}`;
    const snippet = document.createElement("blockquote");
    snippet.textContent = citation.snippet;
    const open = document.createElement("button");
    open.type = "button";
    // Only a PDF viewer opens a given page; other formats open (or download) whole.
    open.textContent = /\.pdf$/i.test(citation.key) ? `Open the document at page ${citation.page}` : "Open the document";
    open.addEventListener("click", () => openDocument(citation, open));
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => { source.hidden = true; question.focus(); });
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(open, close);
    source.replaceChildren(title, snippet, actions);
    source.hidden = false;
    source.focus();
    return open;
  }

  // The document itself, through a presigned link asked for at the moment of the click (links live minutes; a
  // conversation kept in the browser lives longer). The tab is opened before the request so the browser counts it as
  // the click's own window, and cut from this page (no opener) before it is sent to the store.
  async function openDocument(citation, button) {
    const tab = window.open("", "_blank");
    if (tab) tab.opener = null;
    button.disabled = true;
    try {
      const link = await json(`${objectPath("api/sources", citation.bucket, citation.key)}?page=${citation.page}`);
      if (tab) {
        tab.location.replace(link.url);
      } else {
        // Pop-ups blocked: a link the person can follow themselves.
        const anchor = document.createElement("a");
        anchor.href = link.url;
        anchor.target = "_blank";
        anchor.rel = "noopener noreferrer";
        anchor.textContent = `Open ${citation.key}`;
        button.replaceWith(anchor);
        anchor.focus();
      }
    } catch (e) {
      tab?.close();
      showError(e);
    } finally {
      button.disabled = false;
    }
  }

  function messageView(message) {
    const item = document.createElement("li");
    item.className = `message ${message.role}`;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.role === "user" ? "You" : "Lode";
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = message.content;
    const chips = document.createElement("div");
    chips.className = "chips";
    chips.append(...(message.citations ?? []).map(chip));
    item.append(who, text, chips);
    return { item, text, chips };
  }

  function render() {
    renderList();
    source.hidden = true;
    messages.replaceChildren(...current.messages.map((m) => messageView(m).item));
  }

  async function send(text) {
    const conversation = current;
    if (conversation.messages.length === 0) conversation.title = text.length > 60 ? `${text.slice(0, 57)}…` : text;
    conversation.messages.push({ role: "user", content: text });
    const answer = { role: "assistant", content: "", citations: [] };
    const history = conversation.messages.map(({ role, content }) => ({ role, content }));
    render();
    const view = messageView(answer);
    view.item.setAttribute("aria-busy", "true");
    messages.append(view.item);

    try {
      const response = await call("api/chat", {
        method: "POST", accept: "text/event-stream", body: { messages: history, stream: true },
      });
      for await (const { event, data } of events(response)) {
        if (event === "citations") {
          answer.citations = data.citations;
        } else if (event === "delta") {
          answer.content += data.text;
          view.text.textContent = answer.content;
        } else if (event === "done") {
          answer.content = data.answer;
          // Chips for the sources the answer cites; all found sources when it cites none by number.
          answer.citations = data.citations.length ? data.citations : answer.citations;
          view.text.textContent = answer.content;
        } else if (event === "error") {
          throw new Error(data.error?.message ?? "The answer stopped before it was complete.");
        }
      }
      view.chips.replaceChildren(...answer.citations.map(chip));
      conversation.messages.push(answer);
      save();
    } catch (e) {
      view.item.remove();
      conversation.messages.pop();
      question.value = text;
      showError(e);
    } finally {
      view.item.removeAttribute("aria-busy");
      renderList();
    }
  }

  on(form, "submit", async (e) => {
    e.preventDefault();
    const text = question.value.trim();
    if (!text) return;
    question.value = "";
    clearError();
    ask.disabled = true;
    try { await send(text); } finally { ask.disabled = false; question.focus(); }
  });
  // Enter sends, Shift+Enter adds a line.
  on(question, "keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  on(document.getElementById("new-conversation"), "click", () => {
    current = conversations.find((c) => c.messages.length === 0) ?? newConversation();
    render();
    question.focus();
  });
  on(document.getElementById("delete-conversation"), "click", () => {
    if (current.messages.length > 0 && !window.confirm(`Delete the conversation "${current.title}" from this browser?`)) return;
    conversations = conversations.filter((c) => c !== current);
    current = conversations[0] ?? newConversation();
    save();
    render();
    question.focus();
  });

  render();
  return {
    close() {
      listening.abort();
      conversations = [];
      list.replaceChildren();
      messages.replaceChildren();
      source.hidden = true;
      question.value = "";
    },
  };
}
