#!/usr/bin/env python3
"""Renders the expected outputs of ChatTemplateTest with Python's jinja2, set up the way
transformers' apply_chat_template sets it up (trim_blocks, lstrip_blocks, loopcontrols,
tojson without ASCII escaping, raise_exception, strftime_now).

Run from the repository root after changing a template or the conversation:
    python3 compute-node/src/test/python/render_chat_fixtures.py
It rewrites compute-node/src/test/resources/chat-templates/*.expected.txt.
"""
import json
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

DIR = Path(__file__).resolve().parents[1] / "resources" / "chat-templates"

# Must match ChatTemplateTest: the clock the test gives the template, and the conversation.
FIXED_NOW = datetime(2024, 12, 17, 10, 30, 0)
TURNS = [
    {"role": "user", "content": "Hello!"},
    {"role": "assistant", "content": "  Hi there, how can I help?  "},
    {"role": "user", "content": "Tell me a joke."},
]
CONVERSATIONS = {
    "with-system": [{"role": "system", "content": "You are a helpful assistant."}] + TURNS,
    "no-system": TURNS,
}
TOKENS = {
    "llama-3.2-instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "qwen2.5-instruct": ("", "<|im_end|>"),
    "mistral-v0.3-instruct": ("<s>", "</s>"),
    "smollm2-instruct": ("<|im_start|>", "<|im_end|>"),
}


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: FIXED_NOW.strftime(fmt)
    return env


def main():
    env = environment()
    for name, (bos, eos) in TOKENS.items():
        template = env.from_string((DIR / f"{name}.jinja").read_text(encoding="utf-8"))
        for conversation, messages in CONVERSATIONS.items():
            text = template.render(messages=messages, tools=None, documents=None,
                                   add_generation_prompt=True, bos_token=bos, eos_token=eos)
            (DIR / f"{name}.{conversation}.expected.txt").write_text(text, encoding="utf-8", newline="")
            print(f"{name} {conversation}: {len(text)} chars")


if __name__ == "__main__":
    main()
