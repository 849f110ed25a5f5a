"""IndicTrans2 tokenizer.

IndicTrans2 has two vocabularies: sources are SentencePiece-split with `model.SRC` and looked up in `dict.SRC.json`,
targets use `model.TGT` and `dict.TGT.json`. A source line starts with its two language tags
(`"hin_Deva eng_Latn <text>"`), which are whole tokens of the source dictionary. Encoding uses the source side,
`text_target=` and decoding use the target side.
"""

import json
import os
import shutil
from typing import NamedTuple

from sentencepiece import SentencePieceProcessor
from transformers import PreTrainedTokenizer

from pipeline.text.languages import LANGUAGE_TAGS

VOCAB_FILES_NAMES = {
    "src_vocab_fp": "dict.SRC.json",
    "tgt_vocab_fp": "dict.TGT.json",
    "src_spm_fp": "model.SRC",
    "tgt_spm_fp": "model.TGT",
}


class _Vocabulary(NamedTuple):
    """One side of the translation: its SentencePiece model and its fairseq dictionary (piece -> id)."""

    spm: SentencePieceProcessor
    token_to_id: dict[str, int]
    id_to_token: dict[int, str]

    @classmethod
    def load(cls, spm_file: str, vocab_file: str) -> "_Vocabulary":
        with open(vocab_file, encoding="utf-8") as f:
            token_to_id = json.load(f)
        return cls(SentencePieceProcessor(model_file=spm_file), token_to_id, {i: t for t, i in token_to_id.items()})


class IndicTransTokenizer(PreTrainedTokenizer):
    """
    Tokenizer of the AI4Bharat IndicTrans2 checkpoints.

    Sources must be preprocessed lines `"<src_tag> <tgt_tag> <text>"` (tags from `LANGUAGE_TAGS`); they are
    encoded as `[src_tag, tgt_tag, *pieces, </s>]` and padded on the left. Targets (`text_target=`) are encoded as
    `[*pieces, </s>]` with the target vocabulary and padded on the right. `decode` always reads target ids.

    Args:
        src_vocab_fp (`str`): path of `dict.SRC.json`, the source dictionary.
        tgt_vocab_fp (`str`): path of `dict.TGT.json`, the target dictionary.
        src_spm_fp (`str`): path of `model.SRC`, the source SentencePiece model.
        tgt_spm_fp (`str`): path of `model.TGT`, the target SentencePiece model.
    """

    vocab_files_names = VOCAB_FILES_NAMES
    model_input_names = ["input_ids", "attention_mask"]
    padding_side = "left"

    def __init__(
        self,
        src_vocab_fp: str,
        tgt_vocab_fp: str,
        src_spm_fp: str,
        tgt_spm_fp: str,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        **kwargs,
    ):
        # The hub's tokenizer_config.json points `auto_map` at remote code that this class replaces.
        kwargs.pop("auto_map", None)
        self._files = dict(zip(VOCAB_FILES_NAMES, (src_vocab_fp, tgt_vocab_fp, src_spm_fp, tgt_spm_fp)))
        self._source = _Vocabulary.load(src_spm_fp, src_vocab_fp)
        self._target = _Vocabulary.load(tgt_spm_fp, tgt_vocab_fp)
        self._side = self._source
        super().__init__(
            unk_token=unk_token,
            bos_token=bos_token,
            eos_token=eos_token,
            pad_token=pad_token,
            special_tokens_pattern="eos",
            **kwargs,
        )

    def _switch_to_input_mode(self):
        self._side = self._source
        self.padding_side = "left"

    def _switch_to_target_mode(self):
        self._side = self._target
        self.padding_side = "right"

    @property
    def vocab_size(self) -> int:
        return len(self._source.token_to_id)

    def get_vocab(self) -> dict[str, int]:
        return {**self._source.token_to_id, **self.added_tokens_encoder}

    def _tokenize(self, text: str, **kwargs) -> list[str]:
        if self._side is self._target:
            return self._target.spm.encode(text, out_type=str)
        parts = text.split(" ", 2)
        if len(parts) < 3:
            raise ValueError(f"an IndicTrans2 source must start with '<src_tag> <tgt_tag> ', got {text!r}")
        src_tag, tgt_tag, text = parts
        for tag in (src_tag, tgt_tag):
            if tag not in LANGUAGE_TAGS:
                raise ValueError(f"invalid language tag {tag!r}; valid tags: {', '.join(sorted(LANGUAGE_TAGS))}")
        return [src_tag, tgt_tag, *self._source.spm.encode(text, out_type=str)]

    def _convert_token_to_id(self, token: str) -> int:
        return self._side.token_to_id.get(token, self.unk_token_id)

    def _convert_id_to_token(self, index: int) -> str:
        return self._side.id_to_token.get(index, self.unk_token)

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return "".join(tokens).replace("\u2581", " ").strip()

    def _decode(self, token_ids, **kwargs) -> str:
        # Model outputs are target ids, so decoding reads the target dictionary whatever the current mode.
        self._switch_to_target_mode()
        try:
            return super()._decode(token_ids, **kwargs)
        finally:
            self._switch_to_input_mode()

    def save_vocabulary(self, save_directory: str, filename_prefix: str | None = None) -> tuple[str, ...]:
        # Copied rather than re-serialized: re-dumping the dictionaries would change their bytes.
        saved = []
        for key, name in VOCAB_FILES_NAMES.items():
            destination = os.path.join(save_directory, (filename_prefix + "-" if filename_prefix else "") + name)
            if os.path.abspath(self._files[key]) != os.path.abspath(destination):
                shutil.copyfile(self._files[key], destination)
            saved.append(destination)
        return tuple(saved)


__all__ = ["IndicTransTokenizer"]
