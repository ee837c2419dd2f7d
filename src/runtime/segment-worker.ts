// The segmentation worker: the heavy stage of kmeans, elbow and silhouette runs here, off the
// page's thread (see segment-remote.ts).
import {
  handleSegmentRequest,
  transferables,
  type SegmentRequest,
  type SegmentResponse,
} from "./segment-remote.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SegmentRequest>) => void) | null;
  postMessage(message: SegmentResponse, transfer: Transferable[]): void;
};

// A result's labels and matrices move to the page rather than being copied.
scope.onmessage = (event) =>
  handleSegmentRequest(event.data, (response) =>
    scope.postMessage(response, response.type === "done" ? transferables(response.outcome) : []),
  );
