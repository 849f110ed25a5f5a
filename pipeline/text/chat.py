"""Prompts for chat models: the task said in words, rendered in the model's own chat template.

A translator or summarizer of the `chat` family is any decoder-only checkpoint with a chat template. It is asked
for each text with a system message and a user message, both templates whose `{text}` is the sentence, paragraph
or article, and whose `{src_name}`/`{tgt_name}` (`Hindi`, `English`) and `{src_lang}`/`{tgt_lang}` (FLORES codes)
name the languages. Where a model card documents its own prompt, a preset holds it (`chat.preset`); keys given in
the config win over the preset, the preset over the task's default.

What the model answers is cut to the answer: a reasoning block (`<think>...</think>`, which Qwen3 writes unless
thinking is switched off) and everything from a stop string on are removed.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from pipeline.config import Section
from pipeline.errors import ConfigError
from pipeline.registry import Registry
from pipeline.text.languages import language_name

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

PROMPT_FIELDS = frozenset({"text", "src_lang", "tgt_lang", "src_name", "tgt_name"})
# Arguments of `apply_chat_template` that the pipeline sets itself: not template options a config may give.
RENDERING_ARGUMENTS = frozenset({
    "conversation", "messages", "tools", "documents", "chat_template", "add_generation_prompt", "continue_final_message",
    "tokenize", "padding", "truncation", "max_length", "return_tensors", "return_dict", "return_assistant_tokens_mask",
    "tokenizer_kwargs",
})


@dataclass(frozen=True)
class PromptPreset:
    """A prompt: system and user templates, chat template options, stop strings, and where it comes from.

    A preset that leaves `user` or `system` unset (None) keeps the task's."""

    user: str | None = None
    system: str | None = None
    template_options: dict[str, Any] = field(default_factory=dict)
    stop: tuple[str, ...] = ()
    source: str = "this project's default"


# The tasks' defaults: plain instructions that small instruction models follow, asking for the answer alone.
TASK_PROMPTS = {
    "translate": PromptPreset(
        system="You are a professional translator.",
        user="Translate the following {src_name} text into {tgt_name}. Keep every number and name; reply with the "
        "translation only.\n\n{text}",
    ),
    "summarize": PromptPreset(
        system="You are a news editor who writes short, faithful summaries.",
        user="Summarize the following {src_name} news article in {tgt_name}, in at most three sentences. Reply "
        "with the summary only.\n\n{text}",
    ),
}

CHAT_PRESETS: Registry[PromptPreset] = Registry("chat prompt preset")
# Sarvam-Translate's model card (huggingface.co/sarvamai/sarvam-translate): the system message names the target
# language, the user message is the text alone.
CHAT_PRESETS.register("sarvam-translate")(PromptPreset(
    system="Translate the text below to {tgt_name}.", user="{text}",
    source="sarvamai/sarvam-translate model card",
))
# Qwen3's model card: `enable_thinking=False` makes its template write an empty reasoning block, so it answers at once.
CHAT_PRESETS.register("qwen3-no-thinking")(PromptPreset(
    template_options={"enable_thinking": False}, source="Qwen/Qwen3 model cards (enable_thinking)",
))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class ChatPrompt(Section):
    """How a chat model is asked (`translate.chat`, `summarize.chat`); unset keys come from the preset or the task."""

    preset: str | None = Field(None, description="a model's documented prompt: " + ", ".join(CHAT_PRESETS))
    system: str | None = Field(None, description="system message template; empty string: no system message")
    user: str | None = Field(None, description="user message template; must contain {text}")
    template_options: dict[str, Any] | None = Field(
        None, description="keyword arguments of the chat template, e.g. enable_thinking: false (Qwen3)"
    )
    stop: list[str] | None = Field(None, description="strings that end the answer: generation stops, they are cut")

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, preset: str | None) -> str | None:
        if preset is not None:
            CHAT_PRESETS.get(preset)  # raises with the known presets
        return preset

    @field_validator("system", "user")
    @classmethod
    def _known_fields(cls, template: str | None, info) -> str | None:
        if template is None:
            return None
        try:
            unknown = _fields(template) - PROMPT_FIELDS
        except ValueError as error:
            raise ValueError(f"{error} (write a literal brace as {{{{ or }}}})") from None
        if unknown:
            raise ValueError(f"unknown field {{{sorted(unknown)[0]}}}; known: {', '.join(sorted(PROMPT_FIELDS))}")
        if info.field_name == "user" and "text" not in _fields(template):
            raise ValueError("must contain {text}, where the text to translate or summarize goes")
        return template

    @field_validator("template_options")
    @classmethod
    def _template_variables_only(cls, options: dict[str, Any] | None) -> dict[str, Any] | None:
        taken = set(options or ()) & RENDERING_ARGUMENTS
        if taken:
            raise ValueError(f"{sorted(taken)[0]} is set by the pipeline; template_options are the template's own "
                             "variables, e.g. enable_thinking")
        return options

    @field_validator("stop")
    @classmethod
    def _no_empty_stop(cls, stop: list[str] | None) -> list[str] | None:
        if stop is not None and not all(stop):
            raise ValueError("an empty stop string would end every answer before it starts")
        return stop

    def resolve(self, task: str) -> PromptPreset:
        """The prompt this section asks for in `task`: its own keys over its preset's over the task's default."""
        task_prompt = TASK_PROMPTS[task]
        preset = CHAT_PRESETS.get(self.preset) if self.preset else task_prompt
        system = next(value for value in (self.system, preset.system, task_prompt.system, "") if value is not None)
        return PromptPreset(
            user=self.user or preset.user or task_prompt.user,
            system=system or None,  # an empty string in the config: no system message
            template_options=preset.template_options if self.template_options is None else self.template_options,
            stop=preset.stop if self.stop is None else tuple(self.stop),
            source="config" if {"system", "user"} & self.model_fields_set else preset.source,
        )


_REASONING = re.compile(r"<think>.*?(</think>|$)", re.DOTALL)


def answer(generated: str, stop: tuple[str, ...] = ()) -> str:
    """The answer in what a chat model generated: its reasoning block removed (an unfinished one leaves nothing),
    cut at the first stop string."""
    text = _REASONING.sub("", generated)
    for marker in stop:
        text = text.split(marker, 1)[0]
    return text.strip()


class ChatTask:
    """One task asked of one chat model: the prompt filled for a text and rendered in the model's template, and the
    answer taken out of what it generated. The translator's and the summarizer's chat families both use it."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, prompt: PromptPreset, src_lang: str, tgt_lang: str) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise ConfigError("family chat: the model's tokenizer has no chat template; use an instruction (chat) model")
        self.tokenizer = tokenizer
        self.prompt = prompt
        self.languages = {"src_lang": src_lang, "tgt_lang": tgt_lang,
                          "src_name": language_name(src_lang), "tgt_name": language_name(tgt_lang)}

    def render(self, text: str, note: str = "") -> str:
        """The model's input for `text`, ready for the answer; `note` is appended to the user message."""
        variables = {**self.languages, "text": text}
        messages = [{"role": "user", "content": self.prompt.user.format(**variables) + note}]
        if self.prompt.system:
            messages.insert(0, {"role": "system", "content": self.prompt.system.format(**variables)})
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True, **self.prompt.template_options
        )

    def ids(self, text: str) -> list[int]:
        """Token ids of `text` as they are generated from: no special tokens added (the template writes them)."""
        return self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]

    def fitted(self, text: str, max_tokens: int | None, note: str = "") -> tuple[str, list[int]]:
        """The input for `text` and its ids, the text cut (never the instructions) where the whole exceeds
        `max_tokens`."""
        rendered = self.render(text, note)
        ids = self.ids(rendered)
        excess = len(ids) - max_tokens if max_tokens else 0
        if excess <= 0:
            return rendered, ids
        text_ids = self.ids(text)
        rendered = self.render(self.tokenizer.decode(text_ids[: max(len(text_ids) - excess, 0)]), note)
        return rendered, self.ids(rendered)

    def answer(self, generated: str) -> str:
        return answer(generated, self.prompt.stop)

    def generate_kwargs(self) -> dict[str, Any]:
        # generate() stops a row at a stop string when it can decode ids, hence the tokenizer.
        return {"stop_strings": list(self.prompt.stop), "tokenizer": self.tokenizer} if self.prompt.stop else {}

    def describe(self) -> dict[str, Any]:
        """The resolved prompt, for the run manifest: what the model was asked, and where the prompt comes from."""
        return {"prompt": {"system": self.prompt.system, "user": self.prompt.user, "source": self.prompt.source,
                           "template_options": self.prompt.template_options, "stop": list(self.prompt.stop)}}
