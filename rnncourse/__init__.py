"""rnncourse: 日本語 RNN 講座の補助パッケージ。"""

__version__ = "0.1.0"
