// The notebook frame: cells, editors, outputs and the runtime that evaluates notebook code, in
// an <iframe sandbox="allow-scripts"> with an opaque origin and a CSP that allows no network
// (see docs/architecture.md). It talks to the app only through the port it hands over here.
import { mount } from "svelte";
import SegmentWorker from "../../runtime/segment-worker.ts?worker&inline";
import "../theme.css";
import { ShellChannel } from "./channel.ts";
import FrameApp from "./FrameApp.svelte";
import { FrameNotebook } from "./notebook.svelte.ts";
import { HELLO, type ToFrame } from "./protocol.ts";

/**
 * WebRTC reaches the network outside every CSP directive (an ICE server's address, a TURN
 * username): the frame has none of it, before any notebook code runs. Non-configurable, so
 * code cannot put it back.
 */
function withoutWebRtc(): void {
  for (const name of [
    "RTCPeerConnection",
    "webkitRTCPeerConnection",
    "RTCSessionDescription",
    "RTCIceCandidate",
    "RTCDataChannel",
    "RTCRtpSender",
    "RTCRtpReceiver",
    "RTCRtpTransceiver",
  ]) {
    Object.defineProperty(window, name, { value: undefined, writable: false, configurable: false });
  }
}

// Loaded any other way — as a page of its own, or framed without the sandbox, where it would
// run with the app's origin and its storage — it does nothing.
if (self.origin !== "null" || window.parent === window) {
  document.body.textContent =
    "This page shows a Strata notebook's cells, inside the Strata app's sandbox only.";
} else {
  withoutWebRtc();
  void start();
}

async function start(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const channel = new ShellChannel(port1);
  const made = FrameNotebook.create(channel, () => new SegmentWorker({ name: "segment" }));
  // Messages that come before the notebook is made wait for it, in order.
  port1.onmessage = (event: MessageEvent<ToFrame>) =>
    void made.then((nb) => nb.receive(event.data));
  window.parent.postMessage({ type: HELLO }, "*", [port2]);
  const nb = await made;
  const target = document.getElementById("frame");
  if (!target) throw new Error("sandbox.html has no #frame element");
  mount(FrameApp, { target, props: { doc: nb } });

  // The app sizes the iframe to the cells, so that the page scrolls as one.
  let posted = 0;
  const measure = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== posted) channel.post({ type: "height", height: (posted = height) });
  };
  new ResizeObserver(measure).observe(document.documentElement);
  measure();

  // A file dragged over the cells is for the app: it shows its drop target above the frame.
  // The frame takes no drop itself (dropping a file would navigate it).
  const isFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") ?? false;
  window.addEventListener("dragover", (event) => {
    if (!event.isTrusted || !isFiles(event)) return;
    event.preventDefault();
    channel.post({ type: "drag" });
  });
  window.addEventListener("drop", (event) => event.preventDefault());

  // A link to another site opens in a new tab, by the app: the frame itself may load nothing.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!(link instanceof HTMLAnchorElement) || !/^https?:$/.test(link.protocol)) return;
    event.preventDefault();
    if (event.isTrusted) channel.post({ type: "open-link", url: link.href });
  });
  channel.post({ type: "ready" });
}
