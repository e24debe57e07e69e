%% A strict Diameter credit-control client on Erlang/OTP's diameter application. It connects
%% to Tollgate, runs the CCRs of a scenario and prints one line per answer:
%%   answer <label> result=<Result-Code> number=<CC-Request-Number> errors=<decode errors>
%%     gsu=<CC-Time> validity=<Validity-Time> fui=<Final-Unit-Action> money=<Value-Digits>
%% Usage: escript tollgate_ccr_client.escript <ebin dir> <port> <subscriber> <poor subscriber>
-mode(compile).

-include_lib("diameter/include/diameter.hrl").

main([Ebin, PortText, Subscriber, Poor]) ->
    true = code:add_patha(Ebin),
    ok = diameter:start(),
    Port = list_to_integer(PortText),
    ok = diameter:start_service(tollgate_test, service()),
    {ok, _} = diameter:add_transport(tollgate_test, {connect, [
        {transport_module, diameter_tcp},
        {transport_config, [{raddr, {127, 0, 0, 1}}, {rport, Port}, {reuseaddr, true}]}]}),
    wait_up(50),
    Session = diameter:session_id("erlang.test.local"),
    run(Session, Subscriber, Poor),
    ok = diameter:stop_service(tollgate_test),
    io:format("done~n"),
    halt(0);
main(_) ->
    io:format("usage: tollgate_ccr_client.escript EBIN PORT SUBSCRIBER POOR~n"),
    halt(2).

service() ->
    [{'Origin-Host', "erlang.test.local"}, {'Origin-Realm', "test.local"},
     {'Vendor-Id', 0}, {'Product-Name', "OTP diameter test client"},
     {'Auth-Application-Id', [4]}, {'Host-IP-Address', [{127, 0, 0, 1}]},
     {decode_format, map}, {string_decode, false},
     {application, [{alias, cc}, {dictionary, rfc4006_cc}, {module, tollgate_cc_cb},
                    {answer_errors, callback}]}].

wait_up(0) -> io:format("error no_peer~n"), halt(1);
wait_up(N) ->
    case diameter:service_info(tollgate_test, connections) of
        [_ | _] -> timer:sleep(100);
        _ -> timer:sleep(100), wait_up(N - 1)
    end.

run(Session, Subscriber, Poor) ->
    Call = ccr(Session, 1, 0, Subscriber, [{rsu, 10}]),
    show("initial", Call),
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

%% One CCR; the called number travels as Called-Station-Id, an AVP the RFC 4006 dictionary
%% does not name, so it is sent raw (the CCR grammar ends with *[AVP]).
ccr(Session, Type, Number, Subscriber, Options) ->
    Units = lists:flatmap(fun({rsu, Seconds}) -> [{'Requested-Service-Unit',
                                                   #{'CC-Time' => Seconds}}];
                             ({usu, Seconds}) -> [{'Used-Service-Unit',
                                                   [#{'CC-Time' => Seconds}]}];
                             (_) -> [] end, Options),
    Mscc = maps:merge(#{'Service-Identifier' => [1000], 'Rating-Group' => 100},
                      maps:from_list(Units)),
    Action = [{'Requested-Action', Value} || {action, Value} <- Options],
    Called = #diameter_avp{code = 30, data = <<"sip:4420700000@127.0.0.1">>},
    Message = maps:merge(#{'Session-Id' => Session, 'Destination-Realm' => "test.local",
                           'Auth-Application-Id' => 4, 'Service-Context-Id' => "32260@3gpp.org",
                           'CC-Request-Type' => Type, 'CC-Request-Number' => Number,
                           'Subscription-Id' => [#{'Subscription-Id-Type' => 2,
                                                   'Subscription-Id-Data' => Subscriber}],
                           'Multiple-Services-Credit-Control' => [Mscc],
                           'AVP' => [Called]},
                         maps:from_list(Action)),
    diameter:call(tollgate_test, cc, ['CCR' | Message], []).

%% Optional AVPs decode as lists ([] or [Value]); required ones as the value.
one(Key, Map) ->
    case maps:get(Key, Map, []) of
        [Value | _] -> Value;
        [] -> none;
        Value -> Value
    end.

show(Label, {ok, [Name | Answer], Errors}) ->
    Mscc = case one('Multiple-Services-Credit-Control', Answer) of none -> #{}; M -> M end,
    Gsu = case one('Granted-Service-Unit', Mscc) of none -> #{}; G -> G end,
    Fui = case one('Final-Unit-Indication', Mscc) of none -> #{}; F -> F end,
    Money = case one('CC-Money', Gsu) of
                #{'Unit-Value' := Unit} ->
                    io_lib:format("~w/~w", [one('Value-Digits', Unit), one('Exponent', Unit)]);
                _ -> "none"
            end,
    io:format("answer ~s command=~s result=~w number=~w errors=~w gsu=~w validity=~w "
              "fui=~w money=~s~n",
              [Label, Name, one('Result-Code', Answer), one('CC-Request-Number', Answer),
               [element(1, E) || E <- Errors], one('CC-Time', Gsu),
               one('Validity-Time', Mscc), one('Final-Unit-Action', Fui), Money]);
show(Label, Other) ->
    io:format("answer ~s other=~0p~n", [Label, Other]).
