"""BERTScore F1 (Zhang et al. 2020) from a local encoder folder, so it runs without the hub.

Tokens are matched greedily by cosine similarity of the encoder's last-layer embeddings, without idf
weighting or baseline rescaling; the signature says so, because both change the number and the
``bert-score`` package's defaults (a model-specific layer, optional rescaling) differ.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import numpy as np

from pipeline.errors import InputError
from pipeline.evaluation.bootstrap import CorpusStatistic


def bertscore_statistic(hypotheses: list[str], references: list[str], model_dir: Path) -> CorpusStatistic:
    """Per-document F1 ×100, averaged into the corpus score."""
    import torch  # deferred: loading torch costs seconds and BERTScore is optional
    from transformers import AutoModel, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    except (OSError, ValueError) as error:
        raise InputError(f"{model_dir}: not a loadable encoder folder ({error})") from None

    def embeddings(text: str) -> torch.Tensor:
        encoded = tokenizer(text, return_tensors="pt", truncation=True, return_special_tokens_mask=True)
        content = ~encoded.pop("special_tokens_mask")[0].bool()
        hidden = model(**encoded).last_hidden_state[0][content]
        return torch.nn.functional.normalize(hidden, dim=-1)

    scores = []
    with torch.inference_mode():
        for hypothesis, reference in zip(hypotheses, references, strict=True):
            similarity = embeddings(hypothesis) @ embeddings(reference).T
            if similarity.numel() == 0:
                scores.append(0.0)
                continue
            precision = similarity.max(dim=1).values.mean().item()
            recall = similarity.max(dim=0).values.mean().item()
            scores.append(100 * 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0)
    signature = (
        f"bertscore|model:{model_dir.name}|layer:last|idf:no|rescale:no"
        f"|transformers:{version('transformers')}|torch:{version('torch')}"
    )
    return CorpusStatistic.mean(np.array(scores), signature)
