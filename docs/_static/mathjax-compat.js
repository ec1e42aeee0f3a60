// MathJax 3 の設定に足す (myst-nb が書く window.MathJax の設定のあと、MathJax 本体 (defer) より先に読む)。
// ウィジェットの描画 (@jupyter-widgets/html-manager) はラベルの数式を MathJax 2 の MathJax.Hub.Queue で組むので、
// その呼び出しを MathJax 3 の typesetPromise に渡す (MathJax の読み込みの前も後も)。
(function () {
  var config = window.MathJax || {};
  config.Hub = { Queue: function () {} };
  config.startup = Object.assign({}, config.startup, {
    ready: function () {
      MathJax.startup.defaultReady();
      MathJax.Hub = { Queue: function () { return MathJax.typesetPromise(); } };
    },
  });
  window.MathJax = config;
})();
