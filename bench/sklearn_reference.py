# Reference timings from scikit-learn for `npm run bench`: reads a float64 matrix, prints JSON.
import json, sys, time
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

path, n, d, k, iterations, runs = sys.argv[1], *map(int, sys.argv[2:7])
X = np.fromfile(path, dtype=np.float64).reshape(n, d)
init = X[:k].copy()

def timed(work):
    work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        units = work()
        samples.append((time.perf_counter() - start) * 1000 / max(1, units))
    samples.sort()
    return {"median": samples[len(samples) // 2], "min": samples[0], "max": samples[-1], "runs": runs}

def lloyd():
    m = KMeans(n_clusters=k, init=init, n_init=1, max_iter=iterations, tol=0, algorithm="lloyd").fit(X)
    return m.n_iter_

def total():
    # k-means++ then at most `iterations` Lloyd iterations, one start: as the benchmark's kmeans call.
    KMeans(n_clusters=k, n_init=1, max_iter=iterations, tol=0, random_state=0).fit(X)
    return 1

def sweep():
    # Strata's elbow uses the defaults (max_iter 300, tol 1e-4 relative), one start per k: so here.
    for kk in range(2, 11):
        KMeans(n_clusters=kk, n_init=1, random_state=0).fit(X)
    return 1

labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit(X).labels_
def silhouette():
    silhouette_score(X, labels, sample_size=min(2000, n), random_state=0)
    return 1

result = {"kmeans": timed(lloyd), "total": timed(total), "silhouette": timed(silhouette), "elbow": timed(sweep)}
print(json.dumps(result))
