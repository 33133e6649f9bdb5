// Conversations kept in this browser, readable only with the API key they were held with: each key has its own
// record in localStorage, encrypted (AES-GCM) with a key derived from the API key (HKDF-SHA-256). Whoever uses the
// browser next sees nothing without that key, and the API key itself is never stored here. Where the browser offers
// no Web Crypto (a page served over plain http from another machine), conversations live in this tab only.

const PREFIX = "lode.conversations.";
const encoder = new TextEncoder();

// In slices: spreading a long conversation's bytes into one call would exceed the engine's argument limit.
function base64(bytes) {
  const all = new Uint8Array(bytes);
  let text = "";
  for (let i = 0; i < all.length; i += 0x8000) text += String.fromCharCode(...all.subarray(i, i + 0x8000));
  return btoa(text);
}
const unbase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function secretsOf(apiKey) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(apiKey), "HKDF", false, ["deriveKey", "deriveBits"]);
  const derive = (info) => ({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("lode.conversations"), info: encoder.encode(info) });
  // The record's name is derived too, so the list of names reveals nothing about the key either.
  const name = await crypto.subtle.deriveBits(derive("record name"), material, 128);
  const key = await crypto.subtle.deriveKey(derive("encryption"), material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  return { record: PREFIX + [...new Uint8Array(name)].map((b) => b.toString(16).padStart(2, "0")).join(""), key };
}

export async function openConversations(apiKey) {
  if (!globalThis.crypto?.subtle) {
    const record = `${PREFIX}tab`;
    return {
      persistent: false,
      async load() { try { return JSON.parse(sessionStorage.getItem(record)) ?? []; } catch { return []; } },
      async save(conversations) { sessionStorage.setItem(record, JSON.stringify(conversations)); },
    };
  }
  const { record, key } = await secretsOf(apiKey);
  return {
    persistent: true,
    async load() {
      try {
        const stored = JSON.parse(localStorage.getItem(record));
        if (!stored) return [];
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unbase64(stored.iv) }, key, unbase64(stored.data));
        return JSON.parse(new TextDecoder().decode(plain));
      } catch {
        return []; // unreadable (another key's record cannot reach here; a damaged one starts afresh)
      }
    },
    async save(conversations) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(JSON.stringify(conversations)));
      localStorage.setItem(record, JSON.stringify({ iv: base64(iv), data: base64(data) }));
    },
  };
}
