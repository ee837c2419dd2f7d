// The k-means worker: restarts run here, off the page's thread (see kmeans-remote.ts).
import { handleKMeansRequest, type KMeansRequest, type KMeansResponse } from "./kmeans-remote.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<KMeansRequest>) => void) | null;
  postMessage(message: KMeansResponse): void;
};

scope.onmessage = (event) =>
  handleKMeansRequest(event.data, (response) => scope.postMessage(response));
