#!/usr/bin/python3
"""The peers of bench/ann/run: faiss and hnswlib indexes, driven over stdin/stdout by the
Lookalike.Ann driver so both processes stay alive and are measured in alternating rounds.

One JSON object a line in, one a line out:
  {"op": "load", "base": B.npy, "queries": Q.npy, "truth": T.npy, "metric": "l2"|"cosine"}
  {"op": "build", "name": N, "index": "faiss-flat"|"faiss-ivf"|"faiss-hnsw"|"faiss-lsh"|"hnswlib", "params": {...}}
      -> {"build_s", "bytes_per_vector"}
  {"op": "measure", "name": N, "setting": {...}, "seconds": S}
      -> {"recall10", "qps_1thread", "qps_all_threads", "distances_per_query"}
  {"op": "drop"}   forgets every index and the data
"""
import json
import os
import sys
import tempfile
import time

import faiss
import hnswlib
import numpy as np

K = 10
CORES = os.cpu_count() or 1


class Peers:
    def __init__(self):
        self.indexes = {}
        self.base = self.queries = self.truth = None
        self.metric = "l2"

    def load(self, base, queries, truth, metric):
        self.base = np.ascontiguousarray(np.load(base), dtype=np.float32)
        self.queries = np.ascontiguousarray(np.load(queries), dtype=np.float32)
        self.truth = np.load(truth).astype(np.int64)
        self.metric = metric
        if metric == "cosine":
            # faiss ranks cosine as the inner product of normalised vectors.
            faiss.normalize_L2(self.base)
            faiss.normalize_L2(self.queries)
        return {"rows": int(self.base.shape[0]), "queries": int(self.queries.shape[0])}

    def faiss_metric(self):
        return faiss.METRIC_INNER_PRODUCT if self.metric == "cosine" else faiss.METRIC_L2

    def build(self, name, index, params):
        d = self.base.shape[1]
        faiss.omp_set_num_threads(CORES)
        start = time.perf_counter()
        if index == "faiss-flat":
            built = faiss.IndexFlatIP(d) if self.metric == "cosine" else faiss.IndexFlatL2(d)
            built.add(self.base)
        elif index == "faiss-ivf":
            quantizer = faiss.IndexFlatIP(d) if self.metric == "cosine" else faiss.IndexFlatL2(d)
            built = faiss.IndexIVFFlat(quantizer, d, params["lists"], self.faiss_metric())
            built.train(self.base)
            built.add(self.base)
            built.quantizer_keep = quantizer
        elif index == "faiss-hnsw":
            built = faiss.IndexHNSWFlat(d, params["m"], self.faiss_metric())
            built.hnsw.efConstruction = params["efConstruction"]
            built.add(self.base)
        elif index == "faiss-lsh":
            lsh = faiss.IndexLSH(d, params["bits"])
            built = faiss.IndexRefineFlat(lsh)
            built.train(self.base)
            built.add(self.base)
            built.lsh_keep = lsh
        elif index == "hnswlib":
            built = hnswlib.Index(space="cosine" if self.metric == "cosine" else "l2", dim=d)
            built.init_index(max_elements=self.base.shape[0], ef_construction=params["efConstruction"], M=params["m"], random_seed=100)
            built.add_items(self.base, np.arange(self.base.shape[0]), num_threads=CORES)
        else:
            raise ValueError(f"unknown peer index {index}")
        seconds = time.perf_counter() - start
        self.indexes[name] = (index, built)
        return {"build_s": seconds, "bytes_per_vector": self.size(index, built) / self.base.shape[0]}

    def size(self, index, built):
        if index == "hnswlib":
            with tempfile.NamedTemporaryFile(suffix=".hnsw") as file:
                built.save_index(file.name)
                return os.path.getsize(file.name)
        return faiss.serialize_index(built).nbytes

    def apply(self, index, built, setting):
        if index == "faiss-ivf":
            built.nprobe = setting["nprobe"]
        elif index == "faiss-hnsw":
            built.hnsw.efSearch = setting["efSearch"]
        elif index == "faiss-lsh":
            built.k_factor = setting["kFactor"]
        elif index == "hnswlib":
            built.set_ef(max(K, setting["efSearch"]))

    def search(self, index, built, queries, threads):
        if index == "hnswlib":
            labels, _ = built.knn_query(queries, k=K, num_threads=threads)
            return labels
        faiss.omp_set_num_threads(threads)
        _, labels = built.search(queries, K)
        return labels

    def measure(self, name, setting, seconds):
        index, built = self.indexes[name]
        self.apply(index, built, setting)
        faiss.cvar.hnsw_stats.reset()
        faiss.cvar.indexIVF_stats.reset()
        n = self.queries.shape[0]
        start = time.perf_counter()
        labels = self.search(index, built, self.queries, CORES)
        batch = time.perf_counter() - start
        distances = None
        if index == "faiss-hnsw":
            distances = faiss.cvar.hnsw_stats.ndis / n
        elif index == "faiss-ivf":
            distances = faiss.cvar.indexIVF_stats.ndis / n + built.nlist
        elif index == "faiss-flat":
            distances = float(self.base.shape[0])
        hits = sum(len(set(labels[q]).intersection(self.truth[q])) for q in range(n))
        done, start = 0, time.perf_counter()
        while done < n and (done < 20 or time.perf_counter() - start < seconds):
            self.search(index, built, self.queries[done:done + 1], 1)
            done += 1
        single = done / (time.perf_counter() - start)
        return {"recall10": hits / (n * K), "qps_1thread": single, "qps_all_threads": n / batch, "distances_per_query": distances}


def main():
    peers = Peers()
    print(json.dumps({"ready": True, "faiss": faiss.__version__, "cores": CORES}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        op = request.pop("op")
        try:
            if op == "load":
                reply = peers.load(**request)
            elif op == "build":
                reply = peers.build(**request)
            elif op == "measure":
                reply = peers.measure(**request)
            elif op == "drop":
                peers.__init__()
                reply = {}
            else:
                raise ValueError(f"unknown op {op}")
        except Exception as error:  # reported to the driver, which stops the run
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
