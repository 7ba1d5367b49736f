"""Diagram sources shared by the mermaid tests (Japanese labels on purpose)."""

FLOWCHART_JA = """flowchart TD
  A[開始] --> B{入力は正しいか}
  B -->|はい| C[学習を実行]
  B -->|いいえ| D[終了]
"""
SEQUENCE_JA = """sequenceDiagram
  participant 利用者
  participant サーバ
  利用者->>サーバ: 要求を送る
  サーバ-->>利用者: 応答
"""
BROKEN = """flowchart TD
  A[閉じていない --> B
"""
