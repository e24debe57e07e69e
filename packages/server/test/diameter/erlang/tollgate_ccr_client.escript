%% A strict Diameter credit-control client on Erlang/OTP's diameter application. It connects
%% to Tollgate, runs the CCRs of a scenario and prints one line per answer
%% (tollgate_cc_client:show/2).
%% Usage: escript tollgate_ccr_client.escript <ebin dir> <port> <subscriber> <poor subscriber>
-mode(compile).

main([Ebin, PortText, Subscriber, Poor]) ->
    true = code:add_patha(Ebin),
    tollgate_cc_client:start(list_to_integer(PortText)),
    Session = diameter:session_id("erlang.test.local"),
    run(Session, Subscriber, Poor),
    ok = diameter:stop_service(tollgate_test),
    io:format("done~n"),
    halt(0);
main(_) ->
    io:format("usage: tollgate_ccr_client.escript EBIN PORT SUBSCRIBER POOR~n"),
    halt(2).

run(Session, Subscriber, Poor) ->
    show("initial", ccr(Session, 1, 0, Subscriber, [{rsu, 10}])),
    show("update", ccr(Session, 2, 1, Subscriber, [{usu, 8}, {rsu, 10}])),
    show("terminate", ccr(Session, 3, 2, Subscriber, [{usu, 5}])),
    show("terminate_again", ccr(Session, 3, 2, Subscriber, [{usu, 5}])),
    Event = diameter:session_id("erlang.test.local"),
    show("event", ccr(Event, 4, 0, Subscriber, [{rsu, 30}, {action, 0}])),
    Unknown = diameter:session_id("erlang.test.local"),
    show("unknown_user", ccr(Unknown, 1, 0, "sip:nobody@127.0.0.1", [{rsu, 10}])),
    NoCredit = diameter:session_id("erlang.test.local"),
    show("no_credit", ccr(NoCredit, 1, 0, Poor, [{rsu, 10}])),
    show("no_credit_end", ccr(NoCredit, 3, 1, Poor, [{usu, 0}])),
    Stranger = diameter:session_id("erlang.test.local"),
    show("unknown_session", ccr(Stranger, 2, 1, Subscriber, [{usu, 3}, {rsu, 10}])),
    Order = diameter:session_id("erlang.test.local"),
    show("order_initial", ccr(Order, 1, 0, Subscriber, [{rsu, 10}])),
    show("out_of_order", ccr(Order, 2, 5, Subscriber, [{usu, 3}, {rsu, 10}])),
    show("order_end", ccr(Order, 3, 1, Subscriber, [{usu, 2}])).

ccr(Session, Type, Number, Subscriber, Options) ->
    tollgate_cc_client:ccr(Session, Type, Number, Subscriber, Options).

show(Label, Answer) -> tollgate_cc_client:show(Label, Answer).
