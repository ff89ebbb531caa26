/**
 * The ConvSpec grammar: a chevrotain CstParser with error recovery, no embedded actions.
 * Newlines are insignificant: a chain ends where the next token is not `->`, so a line
 * that begins with `->` continues the chain above and every statement starts with a
 * keyword or `NAME =`.
 */
import { CstParser } from "chevrotain";
import * as T from "./tokens.js";

export class ConvSpecParser extends CstParser {
  /**
   * `validate` runs chevrotain's grammar validations (ambiguities, left recursion, ...): about
   * 80 ms at every start, so the shared instance skips them and test/grammar runs them once on
   * a validating instance (a grammar change that breaks them fails the tests).
   * `recover: false` builds a parser that stops at the first error instead of recovering:
   * without the follow sets recovery needs it is built faster (see `strictParserInstance`).
   */
  constructor(options: { validate?: boolean; recover?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: options.recover !== false, maxLookahead: 3, nodeLocationTracking: "onlyOffset", skipValidations: options.validate !== true });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.useDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.modelDecl) },
      ]),
    );
  });

  // use "other.cnn"
  useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.StringLiteral);
  });

  // block NAME(params) { statements }
  blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
      this.CONSUME(T.RParen);
    });
    this.SUBRULE(this.body);
  });

  // NAME or NAME = default
  param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.body);
  });

  body = this.RULE("body", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.assertStmt) },
      { ALT: () => this.SUBRULE(this.tensorStmt) },
      { ALT: () => this.SUBRULE(this.allowStmt) },
      { ALT: () => this.SUBRULE(this.bindStmt) },
    ]);
  });

  // param NAME: [dims]  |  buffer NAME: [dims]
  tensorStmt = this.RULE("tensorStmt", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Param, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Buffer, { LABEL: "kind" }) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr);
  });

  // allow CS3012, CS2023
  allowStmt = this.RULE("allowStmt", () => {
    this.CONSUME(T.Allow);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier, { LABEL: "codes" }) });
  });

  // input NAME [: [dims]]
  inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expr);
    });
  });

  // output CHAIN  |  output NAME = CHAIN
  outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(T.Output);
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: "name" });
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.chain);
  });

  // NAME = chain, or NAME, NAME, ... = chain -> split(...) (one name per part)
  bindStmt = this.RULE("bindStmt", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.chain);
  });

  // assert EXPR OP EXPR
  assertStmt = this.RULE("assertStmt", () => {
    this.CONSUME(T.Assert);
    this.SUBRULE(this.expr, { LABEL: "lhs" });
    this.OR([
      { ALT: () => this.CONSUME(T.EqEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.NotEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.LessEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Less, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Greater, { LABEL: "op" }) },
    ]);
    this.SUBRULE2(this.expr, { LABEL: "rhs" });
  });

  // SOURCE -> step -> step ...
  chain = this.RULE("chain", () => {
    this.SUBRULE(this.step, { LABEL: "source" });
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE2(this.step);
    });
  });

  // a layer or block call, optionally labelled and repeated: conv3(64) * 2 as stage1
  step = this.RULE("step", () => {
    this.SUBRULE(this.call);
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.As);
            this.CONSUME(T.Identifier, { LABEL: "label" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Star);
            this.SUBRULE(this.atom, { LABEL: "repeat" });
          },
        },
      ]),
    );
  });

  // NAME or NAME(args)
  call = this.RULE("call", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
      this.CONSUME(T.RParen);
    });
  });

  // positional or name=value
  arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: "name" });
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.expr);
  });

  expr = this.RULE("expr", () => {
    this.SUBRULE(this.term, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.term, { LABEL: "operands" });
    });
  });

  term = this.RULE("term", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.SlashSlash, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.atom) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Output) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  // what may follow `*` in a repeat: a number, a name, a call, or a parenthesised expression
  atom = this.RULE("atom", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.SUBRULE(this.call) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr) });
    this.CONSUME(T.RBracket);
  });
}

let shared: ConvSpecParser | undefined;

/**
 * The shared parser (chevrotain parsers are reusable via `input = tokens`), built on first use
 * so that commands that parse nothing (`--version`, `--help`) do not pay for it.
 */
export function parserInstance(): ConvSpecParser {
  return (shared ??= new ConvSpecParser());
}

let strict: ConvSpecParser | undefined;

/**
 * A shared parser without error recovery, for a first try: on text without syntax errors it
 * gives the same tree as the recovering parser, and it is built in about two thirds of the time
 * (a page's or a process's first analysis pays for it); text with errors is parsed again by
 * `parserInstance()`, whose errors are the ones reported.
 */
export function strictParserInstance(): ConvSpecParser {
  return (strict ??= new ConvSpecParser({ recover: false }));
}
