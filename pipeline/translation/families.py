"""What differs between translation model families: language tags, pre- and post-processing.

Each family is a small adapter registered under the name a config uses in `translate.family`. The translator
itself (batching, `generate()`) is the same for all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline.registry import Registry
from pipeline.text.chat import ChatPrompt, ChatTask
from pipeline.text.glossary import Glossary
from pipeline.text.languages import check_language
from pipeline.text.placeholders import protect, restore

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from pipeline.translation.translator import TranslatorConfig

TRANSLATION_FAMILIES: Registry[type[TranslationFamily]] = Registry("translation family")


@dataclass(frozen=True)
class Encoded:
    """A source sentence as the tokenizer sees it, and what the family needs to finish its translation."""

    text: str
    state: Any = None


class TranslationFamily(ABC):
    """Adapter between plain sentences and one model family's input and output conventions."""

    add_special_tokens: ClassVar[bool] = True  # False where encode() writes the model's special tokens itself
    prompt_tokens: int = 0  # tokens of every input that are not the source text (a chat model's instructions)

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, src_lang: str, tgt_lang: str, glossary: Glossary | None = None
    ) -> None:
        self.tokenizer = tokenizer
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.glossary = glossary or Glossary([])  # terms hidden behind placeholders, restored as their targets

    @classmethod
    def from_config(
        cls, tokenizer: PreTrainedTokenizerBase, config: TranslatorConfig, glossary: Glossary, max_input_tokens: int
    ) -> TranslationFamily:
        return cls(tokenizer, config.src_lang, config.tgt_lang, glossary)

    @classmethod
    def check_languages(cls, src_lang: str, tgt_lang: str) -> None:
        """Raise ValueError for language codes this family cannot use (checked when the config loads)."""

    def describe(self) -> dict[str, Any]:
        """What the run manifest should know of it beyond the config (a chat model's resolved prompt)."""
        return {}

    @abstractmethod
    def encode(self, sentences: list[str]) -> list[Encoded]: ...

    @abstractmethod
    def decode(self, translations: list[str], encoded: list[Encoded]) -> list[str]: ...

    def generate_kwargs(self) -> dict[str, Any]:
        return {}


class _PlaceholderFamily(TranslationFamily):
    """Families with no processing of their own: URLs, e-mails and numbers go through placeholders."""

    def encode(self, sentences: list[str]) -> list[Encoded]:
        encoded = []
        for sentence in sentences:
            # Glossary terms first: a term with a number in it (लाइन 3) must still match, digits and all.
            hidden, targets = self.glossary.hide(sentence, "<{}>".format, 1)
            protected = protect(hidden, first=len(targets) + 1)
            encoded.append(Encoded(protected.text, {**dict(enumerate(targets, start=1)), **protected.originals}))
        return encoded

    def decode(self, translations: list[str], encoded: list[Encoded]) -> list[str]:
        return [restore(text, e.state)[0] for text, e in zip(translations, encoded, strict=True)]


@TRANSLATION_FAMILIES.register("marian")
class MarianFamily(_PlaceholderFamily):
    """Helsinki-NLP opus-mt models: one language pair per model, no language tags."""


class _TaggedTargetFamily(_PlaceholderFamily):
    """Many-to-many models: the source language is a tokenizer setting, the target the forced first token."""

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, src_lang: str, tgt_lang: str, glossary: Glossary | None = None
    ) -> None:
        super().__init__(tokenizer, src_lang, tgt_lang, glossary)
        tokenizer.src_lang = src_lang

    @abstractmethod
    def target_token_id(self) -> int: ...

    def generate_kwargs(self) -> dict[str, Any]:
        return {"forced_bos_token_id": self.target_token_id()}


@TRANSLATION_FAMILIES.register("nllb")
class NllbFamily(_TaggedTargetFamily):
    """NLLB-200: FLORES-200 codes, which are tokens of its vocabulary."""

    @classmethod
    def check_languages(cls, src_lang: str, tgt_lang: str) -> None:
        for code in (src_lang, tgt_lang):
            if "_" not in code:
                raise ValueError(f"NLLB uses FLORES-200 codes such as hin_Deva, not {code!r}")

    def target_token_id(self) -> int:
        return self.tokenizer.convert_tokens_to_ids(self.tgt_lang)


@TRANSLATION_FAMILIES.register("m2m100")
class M2M100Family(_TaggedTargetFamily):
    """M2M-100: ISO 639-1 codes (`hi`, `en`), mapped to its language tokens by the tokenizer."""

    @classmethod
    def check_languages(cls, src_lang: str, tgt_lang: str) -> None:
        for code in (src_lang, tgt_lang):
            if not code.isalpha() or len(code) > 3:
                raise ValueError(f"M2M-100 uses ISO 639-1 codes such as hi and en, not {code!r}")

    def target_token_id(self) -> int:
        return self.tokenizer.get_lang_id(self.tgt_lang)


@TRANSLATION_FAMILIES.register("indictrans2")
class IndicTrans2Family(TranslationFamily):
    """IndicTrans2: FLORES language tags in the text, and the processor the models were trained with."""

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, src_lang: str, tgt_lang: str, glossary: Glossary | None = None
    ) -> None:
        super().__init__(tokenizer, src_lang, tgt_lang, glossary)
        # Imported here: Moses and indic-nlp-library take half a second, which loading a config must not pay for.
        from pipeline.models.processing_indictrans import IndicTransProcessor

        self.processor = IndicTransProcessor()

    @classmethod
    def check_languages(cls, src_lang: str, tgt_lang: str) -> None:
        check_language(src_lang)
        check_language(tgt_lang)

    def encode(self, sentences: list[str]) -> list[Encoded]:
        hide = (lambda text, first: self.glossary.hide(text, "<ID{}>".format, first)) if self.glossary else None
        prepared = self.processor.preprocess(sentences, self.src_lang, self.tgt_lang, hide)
        return [Encoded(p.text, p.entities) for p in prepared]

    def decode(self, translations: list[str], encoded: list[Encoded]) -> list[str]:
        return self.processor.postprocess(translations, [e.state for e in encoded], self.tgt_lang)


@TRANSLATION_FAMILIES.register("chat")
class ChatFamily(TranslationFamily):
    """Decoder-only instruction models (Sarvam-Translate, Qwen, Llama, Gemma): each text asked for in words, in
    the model's chat template (`translate.chat`, see `pipeline.text.chat`).

    Glossary terms are not hidden behind placeholders, which such models rewrite: the terms a text holds are listed
    in its prompt with the translation to use, and the stage checks the output for them as for every family.
    """

    add_special_tokens = False  # the chat template writes the model's begin-of-text token

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, src_lang: str, tgt_lang: str, glossary: Glossary | None = None,
        prompt: ChatPrompt | None = None, max_input_tokens: int | None = None,
    ) -> None:
        super().__init__(tokenizer, src_lang, tgt_lang, glossary)
        self.task = ChatTask(tokenizer, (prompt or ChatPrompt()).resolve("translate"), src_lang, tgt_lang)
        self.max_input_tokens = max_input_tokens
        self.prompt_tokens = len(self.task.ids(self.task.render("")))

    @classmethod
    def from_config(
        cls, tokenizer: PreTrainedTokenizerBase, config: TranslatorConfig, glossary: Glossary, max_input_tokens: int
    ) -> ChatFamily:
        return cls(tokenizer, config.src_lang, config.tgt_lang, glossary, config.chat, max_input_tokens)

    def describe(self) -> dict[str, Any]:
        return self.task.describe()

    def _glossary_note(self, text: str) -> str:
        terms = dict.fromkeys(self.glossary.find(text)) if self.glossary else {}
        pairs = "; ".join(f"{term.source} = {term.target}" for term in terms)
        return f"\n\nUse these translations of terms: {pairs}" if terms else ""

    def encode(self, sentences: list[str]) -> list[Encoded]:
        return [Encoded(self.task.fitted(s, self.max_input_tokens, self._glossary_note(s))[0]) for s in sentences]

    def decode(self, translations: list[str], encoded: list[Encoded]) -> list[str]:
        return [self.task.answer(text) for text in translations]

    def generate_kwargs(self) -> dict[str, Any]:
        return self.task.generate_kwargs()
