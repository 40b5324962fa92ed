"""The service a user would write today for the comparison of benchmarks/serve_load.py: a FastAPI app calling
transformers.pipeline on each request, on the Hugging Face export of the same model (HF_MODEL_DIR).

    HF_MODEL_DIR=export/hf python -m uvicorn serve_peer_app:app --app-dir benchmarks --port 8001
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline

nlp = pipeline("token-classification", model=os.environ["HF_MODEL_DIR"], aggregation_strategy="simple", device=-1)
app = FastAPI()


class Body(BaseModel):
    inputs: str | list[str]


def _plain(entities: list[dict]) -> list[dict]:
    return [{**entity, "score": float(entity["score"])} for entity in entities]  # numpy floats are not JSON


@app.post("/predict")
def predict(body: Body):  # a plain function: FastAPI runs it in its thread pool, requests overlap
    out = nlp(body.inputs)
    return _plain(out) if isinstance(body.inputs, str) else [_plain(one) for one in out]
